using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrderRelay.Protocol;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Protocol;

/// <summary>docs/protocol.md is the whole protocol: every code the relay can send is in its table, and its example frames are JSON.</summary>
[CancelAfter(10_000)]
public sealed partial class ProtocolDocumentTests
{
    private static readonly string Document = File.ReadAllText(RepositoryRoot.Combine("docs", "protocol.md"));

    [Test]
    public void EveryErrorCode_HasARowInTheErrorCodeTable()
    {
        var codes = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral)
            .Select(field => (string)field.GetRawConstantValue()!)
            .ToList();

        Assert.That(codes, Is.Not.Empty);
        Assert.That(codes.Where(code => !Document.Contains($"| `{code}` |", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public void ExampleFrames_AreJsonObjectsWithAType()
    {
        var examples = ExampleFrame().Matches(Document).Select(match => match.Value).ToList();

        Assert.That(examples, Has.Count.GreaterThanOrEqualTo(15));
        foreach (var example in examples)
        {
            using var frame = JsonDocument.Parse(example);
            Assert.That(frame.RootElement.GetProperty("type").ValueKind, Is.EqualTo(JsonValueKind.String), example);
        }
    }

    /// <summary>An indented example line that starts a frame, joined with its indented continuation line when it has one.</summary>
    [GeneratedRegex(@"(?<=^    )\{""type"":[^\n]*(\n     [^\n]*)?(?=\n)", RegexOptions.Multiline)]
    private static partial Regex ExampleFrame();
}
