using System.Diagnostics;

namespace OrderRelay.Tests.Hosting;

/// <summary>
/// The <c>[Service]</c> settings of a systemd unit that decide how the relay starts, read as systemd
/// reads them, and a process start that gives the program what systemd would: an empty environment
/// but for systemd's own variables and the unit's, the directories it creates, and its working
/// directory. The file system is moved under <paramref name="Root"/>: <c>%S</c>, <c>%C</c> and <c>%L</c>
/// (/var/lib, /var/cache, /var/log) and every absolute path the unit names live there.
/// </summary>
internal sealed record SystemdUnit(string Root, IReadOnlyList<(string Key, string Value)> Settings)
{
    /// <summary>The PATH systemd 252 gives system services.</summary>
    private const string SystemdPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin";

    public static SystemdUnit Read(string unitFile, string root)
    {
        var settings = new List<(string, string)>();
        var section = "";
        foreach (var raw in File.ReadAllLines(unitFile))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }

            if (line.StartsWith('['))
            {
                section = line;
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (section == "[Service]" && equals > 0)
            {
                settings.Add((line[..equals], line[(equals + 1)..]));
            }
        }

        return new SystemdUnit(root, settings);
    }

    public string StateRoot => Path.Combine(Root, "var", "lib");

    public string CacheRoot => Path.Combine(Root, "var", "cache");

    public string LogsRoot => Path.Combine(Root, "var", "log");

    /// <summary>The last value of a setting, its specifiers expanded.</summary>
    public string Single(string key) => Expand(Settings.Last(setting => setting.Key == key).Value);

    public IEnumerable<string> All(string key) => Settings.Where(setting => setting.Key == key).Select(setting => setting.Value);

    /// <summary>Where the program named by <c>ExecStart=</c> (no arguments) is installed under <see cref="Root"/>.</summary>
    public string ExecStart => UnderRoot(Single("ExecStart"));

    /// <summary>
    /// The start systemd would make: the directories <c>StateDirectory=</c>, <c>CacheDirectory=</c> and
    /// <c>LogsDirectory=</c> created and named in <c>STATE_DIRECTORY</c> etc., the <c>Environment=</c>
    /// assignments (unquoted, as this unit writes them) and <c>EnvironmentFile=</c> files, in order.
    /// </summary>
    public ProcessStartInfo Start(string home, params (string Name, string Value)[] overrides)
    {
        var start = new ProcessStartInfo(ExecStart) { WorkingDirectory = Single("WorkingDirectory") };
        start.Environment.Clear();
        start.Environment["PATH"] = SystemdPath;
        start.Environment["HOME"] = home;
        foreach (var (key, variable, root) in new[] { ("StateDirectory", "STATE_DIRECTORY", StateRoot), ("CacheDirectory", "CACHE_DIRECTORY", CacheRoot), ("LogsDirectory", "LOGS_DIRECTORY", LogsRoot) })
        {
            start.Environment[variable] = Directory.CreateDirectory(Path.Combine(root, Single(key))).FullName;
        }

        foreach (var (key, value) in Settings.Where(setting => setting.Key is "Environment" or "EnvironmentFile"))
        {
            var assignments = key == "Environment"
                ? value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Expand)
                : EnvironmentFileLines(value);
            foreach (var assignment in assignments)
            {
                Assert.That(assignment, Does.Not.Contain("\"").And.Not.Contain("'"), "quoted assignments are not read here");
                var equals = assignment.IndexOf('=', StringComparison.Ordinal);
                start.Environment[assignment[..equals]] = assignment[(equals + 1)..];
            }
        }

        foreach (var (name, value) in overrides)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private IEnumerable<string> EnvironmentFileLines(string value)
    {
        var optional = value.StartsWith('-');
        var file = UnderRoot(Expand(optional ? value[1..] : value));
        return File.Exists(file) || !optional
            ? File.ReadAllLines(file).Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#'))
            : [];
    }

    private string Expand(string value)
    {
        var expanded = value.Replace("%S", StateRoot, StringComparison.Ordinal)
            .Replace("%C", CacheRoot, StringComparison.Ordinal)
            .Replace("%L", LogsRoot, StringComparison.Ordinal);
        Assert.That(expanded, Does.Not.Contain("%"), "a specifier this reading does not know");
        return expanded;
    }

    /// <summary>A path the unit names outside the specifiers (ExecStart, EnvironmentFile), moved under <see cref="Root"/>.</summary>
    private string UnderRoot(string path) => path.StartsWith(Root, StringComparison.Ordinal) ? path : Root + path;
}
