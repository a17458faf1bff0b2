using RnnGpu.Backends;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Cuda;

/// <summary>
/// The NVIDIA GPU backend: float32 tensors in device memory, NVRTC-compiled kernels and cuBLAS, all work queued on one
/// stream (so host calls return before the GPU finishes, and methods returning host values synchronise).
/// Create it with <see cref="CudaRuntime.TryCreate"/>.
/// </summary>
public sealed unsafe partial class CudaBackend : IBackend
{
    private const int Threads = 256;

    private readonly CudaPrimaryContext _context;
    private readonly CudaStream _stream;
    private readonly CublasHandle _cublas;
    private readonly KernelCache _kernels;
    private readonly DeviceMemoryPool _pool;
    private readonly PinnedStagingBuffer _staging;
    private readonly CudaStepGraphs _stepGraphs = new();
    private readonly uint _maxBlocks;
    private bool _disposed;

    internal CudaBackend(int ordinal, bool allowTf32)
    {
        Device = CudaRuntime.GetDevice(ordinal);
        AllowsTf32 = allowTf32;
        CudaDriver.Check(CudaDriver.cuDeviceGet(out int device, ordinal));
        _context = CudaPrimaryContext.Retain(device);
        try
        {
            _stream = CudaStream.Create(_context);
            _cublas = CublasHandle.Create(_context, _stream, allowTf32);
            _pool = new DeviceMemoryPool(() => _stream.Synchronize());
            _staging = new PinnedStagingBuffer(_context);
            _kernels = new KernelCache(_context, KernelCompiler.TargetFor(Device.Architecture));
            _maxBlocks = (uint)Math.Max(1, Device.Multiprocessors * 16);
        }
        catch
        {
            _staging?.Dispose();
            _pool?.Dispose();
            _cublas?.Dispose();
            _stream?.Dispose();
            _context.Dispose();
            throw;
        }
    }

    /// <summary>The device this backend runs on.</summary>
    public CudaDeviceInfo Device { get; }

    /// <summary>True when cuBLAS may use TF32 tensor cores for float32 GEMMs.</summary>
    public bool AllowsTf32 { get; }

    /// <summary>
    /// How recurrent layers get each timestep's product h_prev·U: from cuBLAS, inside the step kernel, or (the default)
    /// whichever suits the layer's size. Read at the start of every recurrent forward and backward call.
    /// </summary>
    public RecurrentStepMode RecurrentSteps { get; set; } = RecurrentStepMode.Auto;

    /// <summary>
    /// Whether a fused recurrent time loop (<see cref="RecurrentSteps"/>) that repeats with the same buffers runs as one
    /// CUDA graph launch instead of a launch per step (default true; switched off by itself if a capture fails, see
    /// <see cref="StepGraphsDisabledReason"/>). Results are the same either way.
    /// </summary>
    public bool StepGraphs
    {
        get => _stepGraphs.Enabled;
        set => _stepGraphs.Enabled = value;
    }

    /// <summary>Why <see cref="StepGraphs"/> went off by itself (the failed capture's error), or null.</summary>
    public string? StepGraphsDisabledReason => _stepGraphs.DisabledReason;

    /// <summary>Time loops captured into CUDA graphs so far, and graph launches that replaced a loop's launches.</summary>
    public (int Captured, int Replayed) StepGraphStatistics => _stepGraphs.Statistics;

    /// <summary>Time loops (forward or backward, per layer) run as one cooperative launch (<see cref="RecurrentStepMode.Persistent"/>) so far.</summary>
    public int PersistentLoops { get; private set; }

    /// <summary>The architecture the kernels were compiled for (sm_XX CUBIN, or compute_XX PTX as a fallback).</summary>
    public string KernelTarget => _kernels.Target.ToString();

    /// <summary>Device bytes handed out to live tensors, and bytes cached for reuse.</summary>
    public (long InUse, long Cached, long DeviceAllocations) MemoryStatistics => (_pool.InUseBytes, _pool.CachedBytes, _pool.DeviceAllocations);

    /// <inheritdoc />
    public string Name => $"CUDA {Device.Name} (sm_{Device.Architecture}{(AllowsTf32 ? ", TF32 GEMMs" : "")})";

    /// <inheritdoc />
    public DType FloatType => DType.Float32;

    // ---------------------------------------------------------------- memory

    /// <inheritdoc />
    public DeviceTensor Allocate(params int[] shape)
    {
        var t = NewTensor((int[])shape.Clone(), DType.Float32);
        if (t.Length > 0) CudaDriver.Check(CudaDriver.cuMemsetD32Async(t.Pointer, 0, (nuint)t.Length, _stream.Raw));
        return t;
    }

    /// <inheritdoc />
    public DeviceTensor Upload(ReadOnlySpan<float> data, int[] shape)
    {
        var t = NewTensor((int[])shape.Clone(), DType.Float32);
        CheckLength(data.Length, t);
        Stage(t, MemoryMarshalHelpers.AsBytes(data));
        return t;
    }

    /// <inheritdoc />
    public DeviceTensor Upload(ReadOnlySpan<double> data, int[] shape)
    {
        var t = NewTensor((int[])shape.Clone(), DType.Float32);
        CheckLength(data.Length, t);
        if (t.Length == 0) return t;
        EnsureCurrent();
        var staged = (float*)_staging.Acquire(t.Bytes);
        for (int i = 0; i < data.Length; i++) staged[i] = (float)data[i];
        CudaDriver.Check(CudaDriver.cuMemcpyHtoDAsync_v2(t.Pointer, staged, (nuint)t.Bytes, _stream.Raw));
        _staging.MarkInFlight(_stream);
        return t;
    }

    /// <inheritdoc />
    public DeviceTensor UploadIndices(ReadOnlySpan<int> data, int[] shape)
    {
        var t = NewTensor((int[])shape.Clone(), DType.Int32);
        CheckLength(data.Length, t);
        Stage(t, MemoryMarshalHelpers.AsBytes(data));
        return t;
    }

    /// <inheritdoc />
    public void Download(DeviceTensor source, Span<float> destination)
    {
        var s = F(source);
        CheckLength(destination.Length, s);
        Fetch(s.Pointer, MemoryMarshalHelpers.AsBytes(destination));
    }

    /// <inheritdoc />
    public void Download(DeviceTensor source, Span<double> destination)
    {
        var s = F(source);
        CheckLength(destination.Length, s);
        if (s.Length == 0) return;
        EnsureCurrent();
        var staged = (float*)_staging.Acquire(s.Bytes);
        CudaDriver.Check(CudaDriver.cuMemcpyDtoHAsync_v2(staged, s.Pointer, (nuint)s.Bytes, _stream.Raw));
        _stream.Synchronize();
        for (int i = 0; i < destination.Length; i++) destination[i] = staged[i];
    }

    /// <inheritdoc />
    public DeviceTensor View(DeviceTensor source, int[] shape)
    {
        var s = T(source);
        return new CudaTensor(this, ShapeUtil.Resolve(shape, s.Length), s.Type, s.Pointer, blockBytes: 0);
    }

    /// <inheritdoc />
    public void Copy(DeviceTensor source, DeviceTensor destination)
    {
        var s = T(source);
        var d = T(destination);
        SameLength(s, d);
        if (s.Length == 0 || s.Pointer == d.Pointer) return;
        EnsureCurrent();
        CudaDriver.Check(CudaDriver.cuMemcpyDtoDAsync_v2(d.Pointer, s.Pointer, (nuint)s.Bytes, _stream.Raw));
    }

    /// <inheritdoc />
    public void Fill(DeviceTensor tensor, double value)
    {
        var t = T(tensor);
        if (t.Length == 0) return;
        EnsureCurrent();
        uint bits = t.Type == DType.Int32 ? (uint)(int)value : BitConverter.SingleToUInt32Bits((float)value);
        CudaDriver.Check(CudaDriver.cuMemsetD32Async(t.Pointer, bits, (nuint)t.Length, _stream.Raw));
    }

    /// <inheritdoc />
    public void Synchronize()
    {
        EnsureCurrent();
        _stream.Synchronize();
    }

    /// <summary>A timer that measures GPU time on this backend's stream with CUDA events (for benchmarks).</summary>
    public CudaTimer CreateTimer()
    {
        EnsureCurrent();
        return new CudaTimer(_context, _stream);
    }

    private CudaOpProfiler? _opProfiler;

    /// <summary>
    /// Starts timing every GEMM and kernel this backend queues, until <see cref="CudaOpProfiler.Stop"/>: where a step's
    /// GPU time goes, op by op (one profiler at a time).
    /// </summary>
    public CudaOpProfiler StartOpProfile()
    {
        EnsureCurrent();
        if (_opProfiler is not null) throw new InvalidOperationException("An op profile is already running on this backend; stop it first.");
        return _opProfiler = new CudaOpProfiler(this, _context);
    }

    internal void DetachOpProfiler(CudaOpProfiler profiler)
    {
        if (ReferenceEquals(_opProfiler, profiler)) _opProfiler = null;
    }

    // ---------------------------------------------------------------- linear algebra

    /// <inheritdoc />
    public void Gemm(DeviceTensor a, bool transposeA, DeviceTensor b, bool transposeB, DeviceTensor c, double alpha = 1, double beta = 0)
    {
        int m = transposeA ? a.Columns : a.Rows, k = transposeA ? a.Rows : a.Columns;
        int kb = transposeB ? b.Columns : b.Rows, n = transposeB ? b.Rows : b.Columns;
        if (k != kb || c.Rows != m || c.Columns != n)
            throw new ArgumentException($"Gemm shapes do not agree: op(A) is {m}×{k}, op(B) is {kb}×{n}, C is {c.Rows}×{c.Columns}.");
        GemmRaw(transposeA, transposeB, m, n, k, (float)alpha, F(a).Pointer, a.Columns, F(b).Pointer, b.Columns, (float)beta, F(c).Pointer, n);
    }

    /// <summary>
    /// Row-major C[m,n] = alpha·op(A)·op(B) + beta·C on raw device blocks with row strides (strided views of larger tensors).
    /// cuBLAS is column-major, and a row-major matrix is its transpose in column-major, so this computes
    /// Cᵀ = op(B)ᵀ·op(A)ᵀ by swapping the operands.
    /// </summary>
    internal void GemmRaw(bool transposeA, bool transposeB, int m, int n, int k, float alpha, ulong a, int lda, ulong b, int ldb, float beta, ulong c, int ldc)
    {
        if (m == 0 || n == 0) return;
        EnsureCurrent();
        // A GEMM would run before the launches collected so far: a step sequence must be launches only.
        if (_stepGraphs.Recording) throw new InvalidOperationException("A GEMM was queued inside a step sequence.");
        if (k == 0)
        {
            // Nothing to multiply: C = beta·C.
            if (beta != 1f) LaunchScaleRows(c, m, n, ldc, beta);
            return;
        }
        int profiled = _opProfiler?.Begin(_stream) ?? 0;
        Cublas.Check(Cublas.cublasSgemm_v2(_cublas.Raw, transposeB ? Cublas.OpT : Cublas.OpN, transposeA ? Cublas.OpT : Cublas.OpN,
            n, m, k, &alpha, b, Math.Max(1, ldb), a, Math.Max(1, lda), &beta, c, Math.Max(1, ldc)));
        _opProfiler?.End(profiled, $"gemm {m}x{n}x{k} {(transposeA ? 'T' : 'N')}{(transposeB ? 'T' : 'N')}", _stream);
    }

    private void LaunchScaleRows(ulong c, int rows, int columns, int ld, float beta)
    {
        // Only reached for degenerate k = 0 products; row by row keeps strided views correct.
        Span<ulong> slots = stackalloc ulong[4];
        for (int r = 0; r < rows; r++)
        {
            var args = new KernelArguments(slots);
            args.Pointer(c + (ulong)((long)r * ld * sizeof(float)));
            args.Float(beta);
            args.Long(columns);
            Launch("elementwise", "scale_f32", columns, args);
        }
    }

    /// <inheritdoc />
    public void Axpy(double alpha, DeviceTensor x, DeviceTensor y)
    {
        var xs = F(x); var ys = F(y);
        SameLength(xs, ys);
        var args = new KernelArguments(stackalloc ulong[4]);
        args.Float((float)alpha); args.Pointer(xs.Pointer); args.Pointer(ys.Pointer); args.Long(xs.Length);
        Launch("elementwise", "axpy_f32", xs.Length, args);
    }

    /// <inheritdoc />
    public void Scale(DeviceTensor x, double alpha)
    {
        var xs = F(x);
        var args = new KernelArguments(stackalloc ulong[3]);
        args.Pointer(xs.Pointer); args.Float((float)alpha); args.Long(xs.Length);
        Launch("elementwise", "scale_f32", xs.Length, args);
    }

    // ---------------------------------------------------------------- elementwise

    /// <inheritdoc />
    public void Add(DeviceTensor a, DeviceTensor b, DeviceTensor y) => Binary(0, a, b, y);

    /// <inheritdoc />
    public void Subtract(DeviceTensor a, DeviceTensor b, DeviceTensor y) => Binary(1, a, b, y);

    /// <inheritdoc />
    public void Multiply(DeviceTensor a, DeviceTensor b, DeviceTensor y) => Binary(2, a, b, y);

    /// <inheritdoc />
    public void MultiplyAccumulate(DeviceTensor a, DeviceTensor b, DeviceTensor y) => Binary(3, a, b, y);

    private void Binary(int op, DeviceTensor a, DeviceTensor b, DeviceTensor y)
    {
        var at = F(a); var bt = F(b); var yt = F(y);
        SameLength(at, bt); SameLength(at, yt);
        var args = new KernelArguments(stackalloc ulong[5]);
        args.Int(op); args.Pointer(at.Pointer); args.Pointer(bt.Pointer); args.Pointer(yt.Pointer); args.Long(at.Length);
        Launch("elementwise", "binary_f32", at.Length, args);
    }

    /// <inheritdoc />
    public void AddRowVector(DeviceTensor x, DeviceTensor v, DeviceTensor y)
    {
        var xs = F(x); var vs = F(v); var ys = F(y);
        SameLength(xs, ys);
        if (vs.Length != xs.Columns) throw new ArgumentException($"Row vector has {vs.Length} elements, matrix has {xs.Columns} columns.");
        var args = new KernelArguments(stackalloc ulong[5]);
        args.Pointer(xs.Pointer); args.Pointer(vs.Pointer); args.Pointer(ys.Pointer); args.Long(xs.Rows); args.Int(xs.Columns);
        Launch("elementwise", "add_row_vector_f32", xs.Length, args);
    }

    /// <inheritdoc />
    public void SumRowsAccumulate(DeviceTensor x, DeviceTensor y)
    {
        var xs = F(x); var ys = F(y);
        if (ys.Length != xs.Columns) throw new ArgumentException($"Column-sum target has {ys.Length} elements, matrix has {xs.Columns} columns.");
        SumRowsRaw(xs.Pointer, xs.Rows, xs.Columns, xs.Columns, ys.Pointer);
    }

    /// <summary>y[c] += Σ_r x[r·ld + c] for a raw (possibly strided) block.</summary>
    internal void SumRowsRaw(ulong x, int rows, int columns, int ld, ulong y)
    {
        if (rows == 0 || columns == 0) return;
        var args = new KernelArguments(stackalloc ulong[5]);
        args.Pointer(x); args.Pointer(y); args.Int(rows); args.Int(columns); args.Int(ld);
        LaunchBlocks("elementwise", "sum_rows_accumulate_f32", (uint)((columns + 31) / 32), 32, 8, args);
    }

    /// <inheritdoc />
    public void Activation(ActivationKind kind, DeviceTensor x, DeviceTensor y)
    {
        var xs = F(x); var ys = F(y);
        SameLength(xs, ys);
        if (kind == ActivationKind.Softmax)
        {
            var args = new KernelArguments(stackalloc ulong[4]);
            args.Pointer(xs.Pointer); args.Pointer(ys.Pointer); args.Int(xs.Rows); args.Int(xs.Columns);
            LaunchRows("elementwise", "softmax_rows_f32", xs.Rows, args);
            return;
        }
        var a = new KernelArguments(stackalloc ulong[4]);
        a.Int(ActivationCode(kind)); a.Pointer(xs.Pointer); a.Pointer(ys.Pointer); a.Long(xs.Length);
        Launch("elementwise", "activation_f32", xs.Length, a);
    }

    /// <inheritdoc />
    public void ActivationBackward(ActivationKind kind, DeviceTensor y, DeviceTensor dy, DeviceTensor dx)
    {
        var ys = F(y); var dys = F(dy); var dxs = F(dx);
        SameLength(ys, dys); SameLength(ys, dxs);
        if (kind == ActivationKind.Softmax)
        {
            var args = new KernelArguments(stackalloc ulong[5]);
            args.Pointer(ys.Pointer); args.Pointer(dys.Pointer); args.Pointer(dxs.Pointer); args.Int(ys.Rows); args.Int(ys.Columns);
            LaunchRows("elementwise", "softmax_rows_backward_f32", ys.Rows, args);
            return;
        }
        var a = new KernelArguments(stackalloc ulong[5]);
        a.Int(ActivationCode(kind)); a.Pointer(ys.Pointer); a.Pointer(dys.Pointer); a.Pointer(dxs.Pointer); a.Long(ys.Length);
        Launch("elementwise", "activation_backward_f32", ys.Length, a);
    }

    /// <inheritdoc />
    public void CopyColumns(DeviceTensor source, int sourceColumn, DeviceTensor destination, int destinationColumn, int count, bool accumulate)
    {
        var s = F(source); var d = F(destination);
        if (s.Rows != d.Rows) throw new ArgumentException($"Column copy between {s.Rows} and {d.Rows} rows.");
        if (sourceColumn < 0 || count < 0 || sourceColumn + count > s.Columns || destinationColumn < 0 || destinationColumn + count > d.Columns)
            throw new ArgumentOutOfRangeException(nameof(count), $"Column block [{sourceColumn}, +{count}) → [{destinationColumn}, +{count}) out of range ({s.Columns} → {d.Columns} columns).");
        var args = new KernelArguments(stackalloc ulong[9]);
        args.Pointer(s.Pointer); args.Int(s.Columns); args.Int(sourceColumn);
        args.Pointer(d.Pointer); args.Int(d.Columns); args.Int(destinationColumn);
        args.Int(s.Rows); args.Int(count); args.Int(accumulate ? 1 : 0);
        Launch("elementwise", "copy_columns_f32", (long)s.Rows * count, args);
    }

    /// <inheritdoc />
    public void CopyTimestep(DeviceTensor sequence, int t, DeviceTensor step, bool toSequence, bool accumulate)
    {
        if (sequence.Shape.Length != 3) throw new ArgumentException($"Timestep copy needs a [B, T, F] sequence, got {ShapeUtil.Format(sequence.Shape)}.");
        int b = sequence.Shape[0], steps = sequence.Shape[1], f = sequence.Shape[2];
        if (step.Length != b * f) throw new ArgumentException($"Timestep tensor {ShapeUtil.Format(step.Shape)} does not match [{b}, {f}].");
        if ((uint)t >= (uint)steps) throw new ArgumentOutOfRangeException(nameof(t), $"Timestep {t} of a {steps}-step sequence.");
        CopyTimestepRaw(F(sequence).Pointer, steps, t, F(step).Pointer, b, f, toSequence, accumulate);
    }

    internal void CopyTimestepRaw(ulong sequence, int steps, int t, ulong step, int batch, int features, bool toSequence, bool accumulate)
    {
        var args = new KernelArguments(stackalloc ulong[8]);
        args.Pointer(sequence); args.Int(steps); args.Int(t); args.Pointer(step); args.Int(batch); args.Int(features);
        args.Int(toSequence ? 1 : 0); args.Int(accumulate ? 1 : 0);
        Launch("elementwise", "copy_timestep_f32", (long)batch * features, args);
    }

    /// <inheritdoc />
    public void Clip(DeviceTensor x, double min, double max)
    {
        var xs = F(x);
        var args = new KernelArguments(stackalloc ulong[4]);
        args.Pointer(xs.Pointer); args.Float((float)min); args.Float((float)max); args.Long(xs.Length);
        Launch("elementwise", "clip_f32", xs.Length, args);
    }

    // ---------------------------------------------------------------- embeddings and masks

    /// <inheritdoc />
    public void Gather(DeviceTensor table, DeviceTensor indices, DeviceTensor y)
    {
        var tab = F(table); var idx = I(indices); var ys = F(y);
        int d = tab.Columns;
        if (ys.Length != (long)idx.Length * d) throw new ArgumentException($"Gather output {ShapeUtil.Format(ys.Shape)} does not hold {idx.Length} rows of {d}.");
        var args = new KernelArguments(stackalloc ulong[5]);
        args.Pointer(tab.Pointer); args.Pointer(idx.Pointer); args.Pointer(ys.Pointer); args.Long(idx.Length); args.Int(d);
        Launch("embedding", "gather_rows_f32", (long)idx.Length * d, args);
    }

    /// <inheritdoc />
    public void ScatterAdd(DeviceTensor dy, DeviceTensor indices, DeviceTensor dTable)
    {
        var dys = F(dy); var idx = I(indices); var tab = F(dTable);
        int d = tab.Columns;
        if (dys.Length != (long)idx.Length * d) throw new ArgumentException($"Scatter input {ShapeUtil.Format(dys.Shape)} does not hold {idx.Length} rows of {d}.");
        var args = new KernelArguments(stackalloc ulong[5]);
        args.Pointer(dys.Pointer); args.Pointer(idx.Pointer); args.Pointer(tab.Pointer); args.Long(idx.Length); args.Int(d);
        Launch("embedding", "scatter_add_rows_f32", (long)idx.Length * d, args);
    }

    /// <inheritdoc />
    public void TimestepMask(DeviceTensor x, double maskValue, DeviceTensor mask)
    {
        var xs = F(x); var ms = F(mask);
        int steps = ms.Length;
        if (steps == 0) return;
        var args = new KernelArguments(stackalloc ulong[5]);
        args.Pointer(xs.Pointer); args.Float((float)maskValue); args.Pointer(ms.Pointer); args.Long(steps); args.Int(xs.Length / steps);
        Launch("embedding", "timestep_mask_f32", steps, args);
    }

    // ---------------------------------------------------------------- plumbing

    /// <summary>Queues a grid-stride kernel over <paramref name="work"/> items (nothing for zero).</summary>
    internal void Launch(string family, string kernel, long work, scoped in KernelArguments arguments)
    {
        if (work <= 0) return;
        uint blocks = (uint)Math.Min((work + Threads - 1) / Threads, _maxBlocks);
        LaunchBlocks(family, kernel, blocks, Threads, 1, arguments);
    }

    /// <summary>Queues a one-block-per-row kernel (256 threads, grid-stride over rows).</summary>
    internal void LaunchRows(string family, string kernel, int rows, scoped in KernelArguments arguments)
    {
        if (rows <= 0) return;
        LaunchBlocks(family, kernel, (uint)Math.Min(rows, 65535), Threads, 1, arguments);
    }

    internal void LaunchBlocks(string family, string kernel, uint blocks, uint blockX, uint blockY, scoped in KernelArguments arguments)
    {
        if (blocks == 0) return; // an empty tensor: nothing to do, and CUDA refuses an empty grid
        EnsureCurrent();
        var compiled = _kernels.Get(family, kernel);
        if (_stepGraphs.Recording)
        {
            _stepGraphs.Add(compiled, blocks, blockX, blockY, arguments);
            return;
        }
        int profiled = _opProfiler?.Begin(_stream) ?? 0;
        compiled.Launch(blocks, blockX, blockY, _stream, arguments);
        _opProfiler?.End(profiled, kernel, _stream);
    }

    /// <summary>
    /// A fused time loop's kernel launches, collected between creation and <see cref="Run"/> into one sequence for
    /// <see cref="CudaStepGraphs"/> (nothing but launches may come in between: no GEMM, copy or host read). Launches go
    /// out directly instead when <paramref name="fused"/> is false, graphs are off or an op profile is running.
    /// Disposing without <see cref="Run"/> (the loop threw) drops what was collected.
    /// </summary>
    internal readonly ref struct StepSequence(CudaBackend backend, bool fused) : IDisposable
    {
        private readonly bool _collecting = fused && backend._opProfiler is null && backend._stepGraphs.Begin();

        /// <summary>Runs the collected launches: as a replayed or new graph, or one by one.</summary>
        public void Run()
        {
            if (!_collecting) return;
            backend.EnsureCurrent();
            backend._stepGraphs.Finish(backend._stream);
        }

        public void Dispose()
        {
            if (_collecting && backend._stepGraphs.Recording) backend._stepGraphs.Abandon();
        }
    }

    private void EnsureCurrent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _context.MakeCurrent();
    }

    internal CudaTensor NewTensor(int[] shape, DType type)
    {
        EnsureCurrent();
        long bytes = (long)ShapeUtil.Size(shape) * sizeof(float);
        var pointer = _pool.Rent(bytes, out var blockBytes);
        return new CudaTensor(this, shape, type, pointer, blockBytes);
    }

    internal void ReturnBlock(ulong pointer, long blockBytes)
    {
        if (!_disposed) _pool.Return(pointer, blockBytes);
    }

    private void Stage(CudaTensor t, ReadOnlySpan<byte> data)
    {
        if (data.Length == 0) return;
        EnsureCurrent();
        var staged = _staging.Acquire(data.Length);
        data.CopyTo(new Span<byte>(staged, data.Length));
        CudaDriver.Check(CudaDriver.cuMemcpyHtoDAsync_v2(t.Pointer, staged, (nuint)data.Length, _stream.Raw));
        _staging.MarkInFlight(_stream);
    }

    /// <summary>Copies device bytes to host memory through the staging buffer (synchronises).</summary>
    internal void Fetch(ulong source, Span<byte> destination)
    {
        if (destination.Length == 0) return;
        EnsureCurrent();
        var staged = _staging.Acquire(destination.Length);
        CudaDriver.Check(CudaDriver.cuMemcpyDtoHAsync_v2(staged, source, (nuint)destination.Length, _stream.Raw));
        _stream.Synchronize();
        new ReadOnlySpan<byte>(staged, destination.Length).CopyTo(destination);
    }

    internal CudaTensor T(DeviceTensor t)
    {
        if (t is CudaTensor c && ReferenceEquals(c.Backend, this))
        {
            ObjectDisposedException.ThrowIf(c.IsDisposed, c);
            return c;
        }
        throw new InvalidOperationException($"Tensor {t} does not belong to {Name}; move data between backends through host memory.");
    }

    internal CudaTensor F(DeviceTensor t)
    {
        var c = T(t);
        if (c.Type != DType.Float32) throw new ArgumentException($"Expected a Float32 tensor, got {t}.");
        return c;
    }

    internal CudaTensor I(DeviceTensor t)
    {
        var c = T(t);
        if (c.Type != DType.Int32) throw new ArgumentException($"Expected an Int32 index tensor, got {t}.");
        return c;
    }

    private static int ActivationCode(ActivationKind kind) => kind switch
    {
        ActivationKind.Linear => 0,
        ActivationKind.Tanh => 1,
        ActivationKind.Sigmoid => 2,
        ActivationKind.Relu => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Softmax is a row operation, not a pointwise activation."),
    };

    private static void CheckLength(int length, DeviceTensor t)
    {
        if (length != t.Length) throw new ArgumentException($"Host buffer has {length} elements, tensor {ShapeUtil.Format(t.Shape)} has {t.Length}.");
    }

    private static void SameLength(DeviceTensor a, DeviceTensor b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Tensors {ShapeUtil.Format(a.Shape)} and {ShapeUtil.Format(b.Shape)} differ in length.");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        try
        {
            _context.MakeCurrent();
            _stream.Synchronize();
        }
        catch (CudaException) { /* a sticky error from earlier work: still release what we hold */ }
        _gridBarrier?.Dispose();
        _disposed = true;
        _stepGraphs.Dispose();
        _kernels.Dispose();
        _staging.Dispose();
        _pool.Dispose();
        _cublas.Dispose();
        _stream.Dispose();
        _context.Dispose();
    }
}
