using System.Globalization;
using System.Text;
using Hako.Contracts;

namespace Hako.Client;

public sealed partial class HakoClient
{
    /// <summary>GET /v1/usage: what the node and each running container use now (rates at most 1 s old).</summary>
    public Task<LiveUsage> GetUsageAsync(CancellationToken cancellationToken = default) =>
        GetAsync("v1/usage", HakoJsonContext.Default.LiveUsage, cancellationToken);

    /// <summary>
    /// GET /v1/containers/{name}/stats, or /v1/node/stats when <paramref name="name"/> is null: the recorded
    /// history. <paramref name="since"/> and <paramref name="until"/> are "1h" (that long ago) or ISO 8601
    /// times; null leaves hakod's default (the last hour, until now). <paramref name="resource"/> picks one
    /// metric group (cpu, memory, disk, io, net, processes, events, load), null all of them.
    /// </summary>
    public Task<UsageHistory> GetStatsAsync(string? name, string? since = null, string? until = null, string? resource = null,
        int? points = null, CancellationToken cancellationToken = default)
    {
        var path = new StringBuilder(name is null ? "v1/node/stats" : $"v1/containers/{Segment(name)}/stats");
        var separator = '?';
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                path.Append(separator).Append(key).Append('=').Append(Uri.EscapeDataString(value));
                separator = '&';
            }
        }

        Add("since", since);
        Add("until", until);
        Add("resource", resource);
        Add("points", points?.ToString(CultureInfo.InvariantCulture));
        return GetAsync(path.ToString(), HakoJsonContext.Default.UsageHistory, cancellationToken);
    }
}
