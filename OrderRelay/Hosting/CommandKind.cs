namespace OrderRelay.Hosting;

/// <summary>What the command line asks for.</summary>
internal enum CommandKind
{
    Run,
    Help,
    Version,
    Token,
    Invalid,
}
