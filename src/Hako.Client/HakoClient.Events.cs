using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Hako.Contracts;

namespace Hako.Client;

public sealed partial class HakoClient
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    /// <summary>GET /v1/events: stored events, oldest first (the newest <paramref name="limit"/>, hakod's default 1000).</summary>
    /// <param name="since">A duration back from now (1h, 7d) or an ISO 8601 time.</param>
    public Task<List<EventInfo>> ListEventsAsync(string? container = null, string? type = null, string? since = null, int? limit = null,
        CancellationToken cancellationToken = default) =>
        GetAsync("v1/events" + EventQuery(container, type, since, limit, after: null), HakoJsonContext.Default.ListEventInfo, cancellationToken);

    /// <summary>
    /// GET /v1/events/stream: stored events after <paramref name="after"/> (or since <paramref name="since"/>; neither:
    /// from now), then live ones until cancelled. When hakod ends the stream (it does when a reader falls far behind)
    /// this reconnects after the last event received, so nothing is missed or repeated.
    /// </summary>
    public async IAsyncEnumerable<EventInfo> FollowEventsAsync(string? container = null, string? type = null, string? since = null,
        long? after = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var path = "v1/events/stream" + EventQuery(container, type, after is null ? since : null, limit: null, after);
            using var response = await SendCoreAsync(HttpMethod.Get, path, content: null, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var parser = SseParser.Create(body, (_, data) => JsonSerializer.Deserialize(data, HakoJsonContext.Default.EventInfo));
                var received = false;
                await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (item.Data is { } e)
                    {
                        (after, received) = (e.Id, true);
                        yield return e;
                    }
                }

                if (!received)
                {
                    await Task.Delay(ReconnectDelay, cancellationToken).ConfigureAwait(false); // a stream that keeps ending empty is not a reason to spin
                }
            }
        }
    }

    private static string EventQuery(string? container, string? type, string? since, int? limit, long? after)
    {
        var query = new List<string>();
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                query.Add($"{key}={Uri.EscapeDataString(value)}");
            }
        }

        Add("container", container);
        Add("type", type);
        Add("since", since);
        Add("limit", limit?.ToString(CultureInfo.InvariantCulture));
        Add("after", after?.ToString(CultureInfo.InvariantCulture));
        return query.Count == 0 ? "" : "?" + string.Join('&', query);
    }
}
