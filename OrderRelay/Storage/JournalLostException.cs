namespace OrderRelay.Storage;

/// <summary>A shared journal that no longer holds orders this node knows it took; the batch was not appended.</summary>
internal sealed class JournalLostException(string message) : Exception(message);
