/* Tokenizer and counter for textstats: splits on anything that is not a letter, a digit or an
 * apostrophe, folds ASCII case, and counts. Written in C because it is the service's hot loop. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <ctype.h>

static int is_word_char(Py_UCS4 c) {
    return Py_UNICODE_ISALNUM(c) || c == '\'';
}

/* Calls `emit(word, ctx)` for every word of `text`; returns -1 on error. */
static int for_each_word(PyObject *text, int (*emit)(PyObject *, void *), void *ctx) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t start = -1;
    for (Py_ssize_t i = 0; i <= n; i++) {
        int inside = i < n && is_word_char(PyUnicode_READ(kind, data, i));
        if (inside && start < 0) {
            start = i;
        } else if (!inside && start >= 0) {
            PyObject *word = PyUnicode_Substring(text, start, i);
            if (word == NULL) {
                return -1;
            }
            PyObject *lower = PyObject_CallMethod(word, "lower", NULL);
            Py_DECREF(word);
            if (lower == NULL) {
                return -1;
            }
            int rc = emit(lower, ctx);
            Py_DECREF(lower);
            if (rc < 0) {
                return -1;
            }
            start = -1;
        }
    }
    return 0;
}

static int count_one(PyObject *word, void *ctx) {
    (void)word;
    (*(Py_ssize_t *)ctx)++;
    return 0;
}

static int tally_one(PyObject *word, void *ctx) {
    PyObject *counts = (PyObject *)ctx;
    PyObject *old = PyDict_GetItemWithError(counts, word);
    if (old == NULL && PyErr_Occurred()) {
        return -1;
    }
    long next = old == NULL ? 1 : PyLong_AsLong(old) + 1;
    PyObject *value = PyLong_FromLong(next);
    if (value == NULL) {
        return -1;
    }
    int rc = PyDict_SetItem(counts, word, value);
    Py_DECREF(value);
    return rc;
}

static PyObject *count_words(PyObject *self, PyObject *args) {
    PyObject *text;
    (void)self;
    if (!PyArg_ParseTuple(args, "U", &text)) {
        return NULL;
    }
    Py_ssize_t count = 0;
    if (for_each_word(text, count_one, &count) < 0) {
        return NULL;
    }
    return PyLong_FromSsize_t(count);
}

static PyObject *top_words(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_ssize_t top = 5;
    (void)self;
    if (!PyArg_ParseTuple(args, "U|n", &text, &top)) {
        return NULL;
    }
    PyObject *counts = PyDict_New();
    if (counts == NULL) {
        return NULL;
    }
    if (for_each_word(text, tally_one, counts) < 0) {
        Py_DECREF(counts);
        return NULL;
    }
    /* sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top], done in Python for clarity */
    PyObject *builtins = PyEval_GetBuiltins();
    PyObject *sorted = PyDict_GetItemString(builtins, "sorted");
    PyObject *items = PyDict_Items(counts);
    Py_DECREF(counts);
    if (items == NULL || sorted == NULL) {
        Py_XDECREF(items);
        return NULL;
    }
    Py_ssize_t len = PyList_GET_SIZE(items);
    for (Py_ssize_t i = 0; i < len; i++) {
        PyObject *kv = PyList_GET_ITEM(items, i);
        PyObject *neg = PyNumber_Negative(PyTuple_GET_ITEM(kv, 1));
        if (neg == NULL) {
            Py_DECREF(items);
            return NULL;
        }
        PyObject *key = PyTuple_Pack(3, neg, PyTuple_GET_ITEM(kv, 0), PyTuple_GET_ITEM(kv, 1));
        Py_DECREF(neg);
        if (key == NULL) {
            Py_DECREF(items);
            return NULL;
        }
        PyList_SET_ITEM(items, i, key);
        Py_DECREF(kv);
    }
    PyObject *ordered = PyObject_CallOneArg(sorted, items);
    Py_DECREF(items);
    if (ordered == NULL) {
        return NULL;
    }
    Py_ssize_t keep = top < PyList_GET_SIZE(ordered) ? top : PyList_GET_SIZE(ordered);
    PyObject *result = PyList_New(keep);
    for (Py_ssize_t i = 0; result != NULL && i < keep; i++) {
        PyObject *key = PyList_GET_ITEM(ordered, i);
        PyObject *pair = PyTuple_Pack(2, PyTuple_GET_ITEM(key, 1), PyTuple_GET_ITEM(key, 2));
        if (pair == NULL) {
            Py_CLEAR(result);
            break;
        }
        PyList_SET_ITEM(result, i, pair);
    }
    Py_DECREF(ordered);
    return result;
}

static PyMethodDef methods[] = {
    {"count_words", count_words, METH_VARARGS, "Number of words in a string."},
    {"top_words", top_words, METH_VARARGS, "The most frequent words as (word, count) pairs."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_wordcount", "Fast word counting.", -1, methods,
};

PyMODINIT_FUNC PyInit__wordcount(void) {
    return PyModule_Create(&module);
}
