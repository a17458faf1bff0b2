using System.Numerics;
using System.Numerics.Tensors;

namespace RnnGpu.Backends.Cpu;

/// <summary>
/// General matrix multiply on the CPU for float and double, row-major (the row-major twin of BLAS <c>?gemm</c>).
/// </summary>
/// <remarks>
/// Goto/BLIS structure: the depth is cut into blocks of <see cref="DepthBlock"/>, the columns of op(B) into blocks of
/// <see cref="ColumnBlock"/> and the rows of op(A) into blocks of <see cref="RowBlock"/>; each block is packed into
/// per-thread aligned scratch (<see cref="CpuGemmPacking{T}"/>) so the register-blocked
/// <see cref="CpuGemmKernel{T}"/> reads both operands contiguously from cache. Large products are split into one
/// sub-product per thread along the rows or columns of C; small ones (the engine's per-timestep products) run on the
/// calling thread, and tiny or single-row ones skip packing altogether (<see cref="CpuGemmSmall"/>).
/// C must not overlap A or B.
/// </remarks>
internal static unsafe class CpuGemm
{
    /// <summary>Depth (k) block: a packed B micro-panel of this depth stays in L1.</summary>
    private const int DepthBlock = 256;

    /// <summary>Row (m) block, a multiple of the kernel's 6 rows: the packed A block stays in L2.</summary>
    private const int RowBlock = 144;

    /// <summary>Column (n) block, a multiple of the kernel's columns: the packed B panel lives in L3.</summary>
    private const int ColumnBlock = 2048;

    /// <summary>Multiply-adds each thread must get before another thread is worth its start-up cost (~tens of µs).</summary>
    private const double MinWorkPerThread = 1 << 20;

    /// <summary>
    /// C[m×n] = alpha·op(A)·op(B) + beta·C, row-major. op(A) is m×k (A is m×k with lda, or k×m with lda when transA),
    /// op(B) is k×n (B is k×n with ldb, or n×k with ldb when transB). ld* are row strides in elements (&gt;= row length).
    /// beta == 0 means C is overwritten (NaNs in C are not propagated). maxThreads &lt;= 0 means Environment.ProcessorCount.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or a row stride is shorter than its row.</exception>
    public static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc, int maxThreads = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfLessThan(lda, transA ? m : k);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldb, transB ? k : n);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldc, n);

        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == T.Zero)
        {
            // No product to add: C = beta·C, with beta == 0 clearing C (BLAS semantics, no NaN from 0·C).
            ScaleC(m, n, beta, c, ldc);
            return;
        }

        if (CpuGemmSmall.Applies(m, n, k))
        {
            CpuGemmSmall.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, maxThreads);
            return;
        }

        int threads = ThreadCount(m, n, k, maxThreads);
        if (threads <= 1)
            Serial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else
            Split(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
    }

    /// <summary>
    /// C[m×n] = alpha·op(A)·B + beta·C with B packed once by <see cref="CpuPackedMatrix{T}"/>: the recurrent GEMM of every
    /// timestep multiplies a new h by the same recurrent kernel, so packing it per step would repeat the same copy.
    /// </summary>
    public static void GemmPacked<T>(bool transA, int m, int k, T alpha, T* a, int lda, CpuPackedMatrix<T> b, T beta, T* c, int ldc, int maxThreads = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = b.Columns;
        if (k != b.Depth) throw new ArgumentException($"Packed B has depth {b.Depth}, op(A) has {k} columns.", nameof(k));
        if (!b.IsPacked || m == 0 || n == 0 || k == 0 || alpha == T.Zero || CpuGemmSmall.Applies(m, n, k))
        {
            Gemm(transA, b.Transposed, m, n, k, alpha, a, lda, b.Source, b.SourceStride, beta, c, ldc, maxThreads);
            return;
        }
        int threads = Math.Min(ThreadCount(m, n, k, maxThreads), (m + CpuGemmKernel<T>.Rows - 1) / CpuGemmKernel<T>.Rows);
        if (threads <= 1)
        {
            Serial(transA, b.Transposed, m, n, k, alpha, a, lda, b.Source, b.SourceStride, beta, c, ldc, b);
            return;
        }
        // Row split only: every thread reads the whole packed B.
        const int mr = CpuGemmKernel<T>.Rows;
        int tiles = (m + mr - 1) / mr;
        nint pa = (nint)a, pc = (nint)c;
        CpuWorkerPool.For(threads, part =>
        {
            int i0 = (int)((long)tiles * part / threads) * mr, end = Math.Min(m, (int)((long)tiles * (part + 1) / threads) * mr);
            T* sa = (T*)pa + (transA ? i0 : (nint)i0 * lda);
            Serial(transA, b.Transposed, end - i0, n, k, alpha, sa, lda, b.Source, b.SourceStride, beta, (T*)pc + (nint)i0 * ldc, ldc, b);
        });
    }

    /// <summary>Depth of the blocks B is packed in.</summary>
    internal const int PackDepthBlock = DepthBlock;

    /// <summary>Width of the blocks B is packed in.</summary>
    internal const int PackColumnBlock = ColumnBlock;

    /// <summary>How many threads the product deserves: no more than asked for, and each with enough work.</summary>
    private static int ThreadCount(int m, int n, int k, int maxThreads)
    {
        int limit = maxThreads <= 0 ? Environment.ProcessorCount : maxThreads;
        double work = (double)m * n * k;
        return (int)Math.Clamp(Math.Floor(work / MinWorkPerThread), 1, limit);
    }

    /// <summary>
    /// Runs one serial sub-product per thread on disjoint row or column ranges of C. Splitting rows makes every
    /// thread pack all of op(B), splitting columns all of op(A), so the split goes along the side whose
    /// duplicated packing is cheaper, as long as that side has enough kernel tiles to share. A long depth (the
    /// weight gradients, which sum over every batch row and timestep) is split instead: see <see cref="SplitDepth"/>.
    /// </summary>
    private static void Split<T>(bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int mr = CpuGemmKernel<T>.Rows;
        int nr = CpuGemmKernel<T>.Columns;
        int rowTiles = (m + mr - 1) / mr;
        int columnTiles = (n + nr - 1) / nr;
        bool splitRows = (n <= m && rowTiles >= threads) || columnTiles < threads;
        // Splitting rows or columns copies k × (the other side) once per extra thread; splitting the depth instead
        // writes and adds one m × n partial per extra thread, which is less once k is over twice that other side.
        int depthParts = Math.Min(Math.Min(threads, k / MinDepthPerPart), 1 + (int)Math.Min(int.MaxValue, MaxPartialElements / ((long)m * n)));
        if (k > 2 * (splitRows ? m : n) && depthParts >= 2)
        {
            SplitDepth(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, depthParts);
            return;
        }
        int tiles = splitRows ? rowTiles : columnTiles;
        int parts = Math.Min(threads, tiles);
        if (parts <= 1)
        {
            Serial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }

        // Pointers cannot be captured by the lambda; carry them as addresses.
        nint pa = (nint)a, pb = (nint)b, pc = (nint)c;
        CpuWorkerPool.For(parts, part =>
        {
            int firstTile = (int)((long)tiles * part / parts);
            int endTile = (int)((long)tiles * (part + 1) / parts);
            T* sa = (T*)pa, sb = (T*)pb, sc = (T*)pc;
            if (splitRows)
            {
                int i0 = firstTile * mr, rows = Math.Min(m, endTile * mr) - i0;
                sa += transA ? i0 : (nint)i0 * lda;
                sc += (nint)i0 * ldc;
                Serial(transA, transB, rows, n, k, alpha, sa, lda, sb, ldb, beta, sc, ldc);
            }
            else
            {
                int j0 = firstTile * nr, cols = Math.Min(n, endTile * nr) - j0;
                sb += transB ? (nint)j0 * ldb : j0;
                sc += j0;
                Serial(transA, transB, m, cols, k, alpha, sa, lda, sb, ldb, beta, sc, ldc);
            }
        });
    }

    /// <summary>Depth a part of <see cref="SplitDepth"/> must have at least: a few of the kernel's k-loops, not a sliver.</summary>
    private const int MinDepthPerPart = 64;

    /// <summary>Elements all partial products of one <see cref="SplitDepth"/> may take together (16 MB of float).</summary>
    private const long MaxPartialElements = 1 << 22;

    /// <summary>
    /// Splits the depth: part p multiplies its slice of k (op(A)'s columns, op(B)'s rows) into a partial product of its
    /// own, part 0 straight into C with the caller's beta, and the partials are then added into C, rows shared out
    /// among the threads. For the weight gradients (k = batch × time) each part then reads only the rows of its own
    /// slice, which are mostly the ones the same thread just wrote in the backward time loop.
    /// </summary>
    private static void SplitDepth<T>(bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc, int parts)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint partial = (nint)m * n;
        T* partials = CpuGemmScratch<T>.ForCurrentThread.Partials((nuint)(partial * (parts - 1)));
        nint pa = (nint)a, pb = (nint)b, pc = (nint)c, pp = (nint)partials;
        CpuWorkerPool.For(parts, part =>
        {
            int p0 = (int)((long)k * part / parts), depth = (int)((long)k * (part + 1) / parts) - p0;
            T* sa = (T*)pa + (transA ? (nint)p0 * lda : p0);
            T* sb = (T*)pb + (transB ? p0 : (nint)p0 * ldb);
            if (part == 0) Serial(transA, transB, m, n, depth, alpha, sa, lda, sb, ldb, beta, (T*)pc, ldc);
            else Serial(transA, transB, m, n, depth, alpha, sa, lda, sb, ldb, T.Zero, (T*)pp + (part - 1) * partial, n);
        });
        int rowParts = Math.Min(parts, m);
        CpuWorkerPool.For(rowParts, part =>
        {
            int i0 = (int)((long)m * part / rowParts), i1 = (int)((long)m * (part + 1) / rowParts);
            for (int i = i0; i < i1; i++)
            {
                var row = new Span<T>((T*)pc + (nint)i * ldc, n);
                for (int q = 0; q < parts - 1; q++)
                    TensorPrimitives.Add(row, new ReadOnlySpan<T>((T*)pp + q * partial + (nint)i * n, n), row);
            }
        });
    }

    /// <summary>The blocked product on the calling thread, using its scratch buffers.</summary>
    private static void Serial<T>(bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc, CpuPackedMatrix<T>? prepacked = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int mr = CpuGemmKernel<T>.Rows;
        int nr = CpuGemmKernel<T>.Columns;
        var scratch = CpuGemmScratch<T>.ForCurrentThread;
        int kcMax = Math.Min(k, DepthBlock);
        // The per-step recurrent products (B packed once, a fresh row-major A at every step, alpha 1) read A where it
        // lies: packing it would copy as much as the kernel reads, and the rows are short enough to stay in cache.
        bool readAInPlace = prepacked is not null && !transA && alpha == T.One;
        T* packedA = scratch.PackedA((nuint)RoundUp(Math.Min(m, RowBlock), mr) * (nuint)kcMax);
        T* packedB = scratch.PackedB((nuint)RoundUp(Math.Min(n, ColumnBlock), nr) * (nuint)kcMax);

        for (int jc = 0; jc < n; jc += ColumnBlock)
        {
            int nc = Math.Min(ColumnBlock, n - jc);
            for (int pc = 0; pc < k; pc += DepthBlock)
            {
                int kc = Math.Min(DepthBlock, k - pc);
                T* blockB = packedB;
                if (prepacked is null) CpuGemmPacking<T>.PackB(transB, b, ldb, pc, jc, kc, nc, packedB);
                else blockB = prepacked.Block(jc, pc);
                // Only the first depth block sees the caller's beta; later blocks accumulate onto it.
                T blockBeta = pc == 0 ? beta : T.One;
                for (int ic = 0; ic < m; ic += RowBlock)
                {
                    int mc = Math.Min(RowBlock, m - ic);
                    if (readAInPlace)
                    {
                        MacroKernel(mc, nc, kc, a + (nint)ic * lda + pc, lda, true, blockB, c + (nint)ic * ldc + jc, ldc, blockBeta, scratch.Tile);
                        continue;
                    }
                    CpuGemmPacking<T>.PackA(transA, a, lda, ic, pc, mc, kc, alpha, packedA);
                    MacroKernel(mc, nc, kc, packedA, 1, false, blockB, c + (nint)ic * ldc + jc, ldc, blockBeta, scratch.Tile);
                }
            }
        }
    }

    /// <summary>
    /// Sweeps the kernel over one A block and one packed B panel. Columns are the outer loop so one B micro-panel stays
    /// in L1 while the A micro-panels stream from L2. A is either packed (micro-panels of <c>kc × Rows</c>, row index
    /// fastest; <paramref name="aRow"/> 1) or row-major rows read in place (<paramref name="aRow"/> = lda).
    /// </summary>
    private static void MacroKernel<T>(int mc, int nc, int kc, T* a, nint aRow, bool aInPlace, T* packedB, T* c, int ldc, T beta, T* tile)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int mr = CpuGemmKernel<T>.Rows;
        int nr = CpuGemmKernel<T>.Columns;
        // A packed A fixes the tiles at its micro-panels. Rows read in place are dealt evenly over the fewest tiles
        // instead: a tile of 4 rows takes about as long as one of 2, so 8 rows go as 4 + 4 rather than 6 + 2.
        nint aDepth = aInPlace ? 1 : mr;
        int tiles = (mc + mr - 1) / mr;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            T* bPanel = packedB + (nint)jr * kc;
            for (int t = 0; t < tiles; t++)
            {
                int first = aInPlace ? (int)((long)mc * t / tiles) : t * mr;
                int rows = aInPlace ? (int)((long)mc * (t + 1) / tiles) - first : Math.Min(mr, mc - first);
                T* aTile = aInPlace ? a + first * aRow : a + (nint)t * mr * kc;
                CpuGemmKernel<T>.Run(kc, aTile, aRow, aDepth, bPanel, c + (nint)first * ldc + jr, ldc, beta, rows, cols, tile);
            }
        }
    }

    /// <summary>C = beta·C; beta == 0 writes zeros without reading C.</summary>
    private static void ScaleC<T>(int m, int n, T beta, T* c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (beta == T.One) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<T>(c + (nint)i * ldc, n);
            if (beta == T.Zero) row.Clear();
            else for (int j = 0; j < n; j++) row[j] *= beta;
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
