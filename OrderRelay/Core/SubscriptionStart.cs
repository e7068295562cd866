namespace OrderRelay.Core;

/// <summary>Where a new subscriber starts, decided once when it says hello.</summary>
/// <param name="WelcomeSeq">The newest seq at hello time, reported in <c>welcome</c>.</param>
/// <param name="Recovered">False when the client's position could not be fully replayed.</param>
/// <param name="ReplayAfterSeq">The subscriber gets every order it may see after this seq.</param>
/// <param name="IsResume">True when the client gave <c>since</c>: what it gets before going live counts as replay.</param>
internal readonly record struct SubscriptionStart(long WelcomeSeq, bool Recovered, long ReplayAfterSeq, bool IsResume);
