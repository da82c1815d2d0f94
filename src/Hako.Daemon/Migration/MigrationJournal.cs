using System.Text.Json;
using Hako.State;

namespace Hako.Daemon.Migration;

/// <summary>
/// Source side: where an outgoing migration stands, persisted (node_settings key <c>migration:NAME</c>) so a
/// hakod killed in the middle knows at its next start what to repair. Phases, in order:
/// <c>copying</c> (target prepared, container untouched or stopped for an offline copy), <c>frozen</c>
/// (the container is frozen for the final pass), <c>switching</c> (written durably before the source kills
/// its copy and asks the target to commit: from here the target may own it), <c>committed</c> (the target
/// answered the commit). Removed when the migration ends either way.
/// </summary>
public sealed class MigrationJournal(IStateStore store)
{
    private const string Prefix = "migration:";

    public sealed record Entry(string Target, string Phase, bool WasRunning);

    public void Set(string name, string target, string phase, bool wasRunning, bool durable = false) =>
        store.SetSetting(Prefix + name, JsonSerializer.Serialize(new Entry(target, phase, wasRunning), MigrationJsonContext.Default.Entry), durable);

    public void Clear(string name) => store.SetSetting(Prefix + name, null);

    public IReadOnlyList<(string Name, Entry Entry)> List() =>
        [.. store.ListSettings(Prefix).Select(s => (s.Key[Prefix.Length..], Parse(s.Value)))];

    private static Entry Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, MigrationJsonContext.Default.Entry) ?? new Entry("", "switching", false);
        }
        catch (JsonException)
        {
            // Unreadable: assume the worst phase, so the target is asked before anything runs twice.
            return new Entry("", "switching", false);
        }
    }
}
