/* Scoring kernel for the sentiment model: out[i] = sigmoid(dot(features[i], weights) + bias).
 * Built with nvcc from the CUDA image; this host version is what runs when no GPU is present,
 * and it is the one the service loads through ctypes. */
#include <math.h>
#include <stddef.h>

void score_batch(const float *features, size_t rows, size_t cols, const float *weights,
                 float bias, float *out) {
    for (size_t i = 0; i < rows; i++) {
        const float *row = features + i * cols;
        float z = bias;
        for (size_t j = 0; j < cols; j++) {
            z += row[j] * weights[j];
        }
        out[i] = 1.0f / (1.0f + expf(-z));
    }
}
