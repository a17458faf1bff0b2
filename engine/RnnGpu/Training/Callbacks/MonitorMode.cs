namespace RnnGpu.Training;

/// <summary>Which way a monitored quantity improves (Keras's <c>mode</c>: "auto", "min", "max").</summary>
public enum MonitorMode
{
    /// <summary>From the name: a quantity with "acc" in its name improves upwards, any other (a loss) downwards.</summary>
    Auto,

    /// <summary>Lower is better.</summary>
    Min,

    /// <summary>Higher is better.</summary>
    Max,
}
