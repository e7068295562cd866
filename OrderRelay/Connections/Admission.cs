using System.Net;
using OrderRelay.Security;

namespace OrderRelay.Connections;

/// <summary>An admitted connection's lease and client address, or the HTTP status and reason it was refused with.</summary>
internal readonly record struct Admission(ConnectionLimiter.ConnectionLease? Lease, IPAddress? Client, int RefusalStatus, string? Refusal)
{
    public static Admission Refused(int status, string reason) => new(null, null, status, reason);
}
