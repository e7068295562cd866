namespace OrderRelay.Protocol;

/// <summary>What the relay answers a publish (the <c>ack</c> frame, or <c>POST /publish</c>'s body): its seq, new or of an earlier order with the same key.</summary>
internal readonly record struct PublishOutcome(long Seq, bool Duplicate);
