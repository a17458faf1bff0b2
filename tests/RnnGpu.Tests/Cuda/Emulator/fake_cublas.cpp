// A CPU stand-in for libcublas.so.12: the handful of entry points RnnGpu binds, with a reference column-major SGEMM
// (double accumulation). Pairs with fake_driver.cpp, whose device pointers are host pointers.
#define API extern "C" __attribute__((visibility("default")))

API int cublasCreate_v2(void** h) { static int handle; *h = &handle; return 0; }
API int cublasDestroy_v2(void*) { return 0; }
API int cublasSetStream_v2(void*, void*) { return 0; }
API int cublasSetMathMode(void*, int) { return 0; }
API int cublasGetProperty(int type, int* value) { *value = type == 0 ? 12 : type == 1 ? 4 : 0; return 0; }
API int cublasGetVersion_v2(void*, int* v) { *v = 120400; return 0; }
API const char* cublasGetStatusName(int s) { return s == 0 ? "CUBLAS_STATUS_SUCCESS" : s == 7 ? "CUBLAS_STATUS_INVALID_VALUE" : "CUBLAS_STATUS_UNKNOWN"; }

API int cublasSgemm_v2(void*, int transa, int transb, int m, int n, int k, const float* alpha, const float* a, int lda,
                       const float* b, int ldb, const float* beta, float* c, int ldc)
{
    // The argument checks cuBLAS makes, so a wrong leading dimension fails here as it would on the GPU.
    if (m < 0 || n < 0 || k < 0) return 7;
    if (lda < (transa ? (k > 1 ? k : 1) : (m > 1 ? m : 1))) return 7;
    if (ldb < (transb ? (n > 1 ? n : 1) : (k > 1 ? k : 1))) return 7;
    if (ldc < (m > 1 ? m : 1)) return 7;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++)
        {
            double sum = 0;
            for (int l = 0; l < k; l++)
            {
                double x = transa ? a[l + (long)i * lda] : a[i + (long)l * lda];
                double y = transb ? b[j + (long)l * ldb] : b[l + (long)j * ldb];
                sum += x * y;
            }
            float* out = c + i + (long)j * ldc;
            // beta == 0 must not read C (it may hold NaN), as in cuBLAS.
            *out = (float)(*alpha * sum + (*beta == 0.0f ? 0.0 : (double)*beta * *out));
        }
    return 0;
}
