namespace OrderRelay.Core;

/// <summary>What came of one attempt to take a catching-up subscriber live.</summary>
internal enum GoLiveOutcome
{
    Live,

    /// <summary>The recent ring does not reach back to the cursor, or the queue lacks room for the rest: page more from the store first.</summary>
    StillBehind,

    /// <summary>The epoch the subscriber was welcomed in has ended.</summary>
    EpochEnded,
}
