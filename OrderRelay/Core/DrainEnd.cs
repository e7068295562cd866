namespace OrderRelay.Core;

/// <summary>What a drain that found its queue empty does next.</summary>
internal enum DrainEnd
{
    /// <summary>Frames arrived meanwhile: keep sending.</summary>
    More,

    /// <summary>Stop: the next frame schedules a new drain.</summary>
    Idle,

    /// <summary>Stop for good: the queue is completed and empty; close the connection.</summary>
    Completed,
}
