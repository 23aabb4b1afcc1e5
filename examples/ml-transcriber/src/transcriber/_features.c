#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

/* Root-mean-square energy of a buffer of float32 samples, per frame. */
static PyObject *frame_energy(PyObject *self, PyObject *args) {
    Py_buffer buf;
    Py_ssize_t frame;
    if (!PyArg_ParseTuple(args, "y*n", &buf, &frame)) {
        return NULL;
    }
    if (frame <= 0) {
        PyBuffer_Release(&buf);
        PyErr_SetString(PyExc_ValueError, "frame must be positive");
        return NULL;
    }
    const float *samples = (const float *)buf.buf;
    Py_ssize_t n = buf.len / (Py_ssize_t)sizeof(float);
    PyObject *out = PyList_New(0);
    if (out == NULL) {
        PyBuffer_Release(&buf);
        return NULL;
    }
    for (Py_ssize_t start = 0; start + frame <= n; start += frame) {
        double acc = 0.0;
        for (Py_ssize_t i = start; i < start + frame; i++) {
            acc += (double)samples[i] * (double)samples[i];
        }
        PyObject *value = PyFloat_FromDouble(sqrt(acc / (double)frame));
        if (value == NULL || PyList_Append(out, value) < 0) {
            Py_XDECREF(value);
            Py_DECREF(out);
            PyBuffer_Release(&buf);
            return NULL;
        }
        Py_DECREF(value);
    }
    PyBuffer_Release(&buf);
    return out;
}

static PyMethodDef methods[] = {
    {"frame_energy", frame_energy, METH_VARARGS, "RMS energy per frame."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_features", NULL, -1, methods};

PyMODINIT_FUNC PyInit__features(void) { return PyModule_Create(&module); }
