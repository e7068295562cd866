using OrderRelay.Security;

namespace OrderRelay.Connections;

/// <summary>An admitted connection's lease (which knows its client address), or the HTTP status and reason it was refused with.</summary>
internal readonly record struct Admission(ConnectionLimiter.ConnectionLease? Lease, int RefusalStatus, string? Refusal)
{
    public static Admission Refused(int status, string reason) => new(null, status, reason);
}
