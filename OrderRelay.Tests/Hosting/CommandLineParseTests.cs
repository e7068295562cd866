using OrderRelay.Hosting;

namespace OrderRelay.Tests.Hosting;

/// <summary>How the command line is read, without a process: every form the configuration provider reads is a setting.</summary>
[CancelAfter(10_000)]
public sealed class CommandLineParseTests
{
    [TestCase("")]
    [TestCase("--demo")]
    [TestCase("--DEMO --Relay:Port=0")]
    [TestCase("--Relay:Port 0 --Relay:Store memory")]
    [TestCase("/Relay:Port 0")]
    [TestCase("/Relay:Port=0")]
    [TestCase("Relay:Port=0")]
    [TestCase("--relay:port=0 --serilog:MinimumLevel:Default=Warning --Kestrel:Limits:MaxRequestBodySize=1000")]
    [TestCase("--Logging:LogLevel:Default=Warning --environment Production")]
    [TestCase("--Relay:LogFile --help")]
    public void Settings_RunTheRelayWithThemAsGiven(string arguments)
    {
        var args = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        var commandLine = CommandLine.Parse(args);

        Assert.That(commandLine.Kind, Is.EqualTo(CommandKind.Run), commandLine.Error);
        Assert.That(commandLine.Arguments, Is.EqualTo(args));
    }

    [Test]
    public void Help_KeepsTheSettingsGivenWithIt()
    {
        var commandLine = CommandLine.Parse(["--Relay:Sqlite:Path=/x.db", "--help", "--Relay:Port", "9"]);

        Assert.That(commandLine.Kind, Is.EqualTo(CommandKind.Help));
        Assert.That(commandLine.Arguments, Is.EqualTo(new[] { "--Relay:Sqlite:Path=/x.db", "--Relay:Port", "9" }));
    }

    [Test]
    public void Token_GetsTheRestOfTheLine()
    {
        var commandLine = CommandLine.Parse(["token", "--merchant", "m-1", "--frobnicate"]);

        Assert.That(commandLine.Kind, Is.EqualTo(CommandKind.Token));
        Assert.That(commandLine.Arguments, Is.EqualTo(new[] { "--merchant", "m-1", "--frobnicate" }));
    }

    [Test]
    public void Version_AnywhereOnTheLine_IsVersion()
    {
        Assert.That(CommandLine.Parse(["--Relay:Port=0", "--version"]).Kind, Is.EqualTo(CommandKind.Version));
    }

    /// <summary>Host settings the relay does not use (it binds Relay:Bind/Port itself, and reads settings beside the program) are refused, not silently ignored.</summary>
    [TestCase("--Urls=http://*:80")]
    [TestCase("--contentRoot /tmp")]
    [TestCase("--=1")]
    [TestCase("-p=1")]
    public void OtherForms_AreRefused(string arguments)
    {
        var commandLine = CommandLine.Parse(arguments.Split(' '));

        Assert.That(commandLine.Kind, Is.EqualTo(CommandKind.Invalid));
        Assert.That(commandLine.Error, Does.Contain(arguments.Split(' ')[0].TrimStart('-').Split('=')[0]));
    }
}
