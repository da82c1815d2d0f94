using System.Globalization;
using System.Net.ServerSentEvents;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Core.Units;
using Hako.Daemon.Events;
using Hako.State;

namespace Hako.Daemon.Api;

/// <summary>GET /v1/events (stored, newest last) and GET /v1/events/stream (server-sent events: replay, then live).</summary>
public static class EventsApi
{
    /// <summary>Answer size of GET /v1/events when no limit is given, and the most one may ask for.</summary>
    internal const int DefaultLimit = 1000;
    internal const int MaxLimit = 100_000;

    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1/events").WithTags("events");

        g.MapGet("/", (string? container, string? type, string? since, int? limit, IStateStore store, TimeProvider time) =>
        {
            if (limit is < 1 or > MaxLimit)
            {
                throw HakoException.Invalid($"limit {limit} is out of range; use 1..{MaxLimit}");
            }

            var events = store.QueryEvents(Filter(container, type, since, time) with { Limit = limit ?? DefaultLimit });
            return Results.Json(events as List<EventInfo> ?? [.. events], HakoJsonContext.Default.ListEventInfo);
        });

        // A reconnecting client sends Last-Event-ID (EventSource does) or ?after=: it gets every event after that id.
        g.MapGet("/stream", (string? container, string? type, string? since, long? after, HttpRequest http, EventLog events,
            TimeProvider time, IHostApplicationLifetime lifetime) =>
        {
            var filter = Filter(container, type, since, time);
            var resume = after ?? LastEventId(http);
            return TypedResults.ServerSentEvents(Stream(events, filter, resume, http.HttpContext, lifetime));
        });

        return g;
    }

    private static EventQuery Filter(string? container, string? type, string? since, TimeProvider time)
    {
        var errors = new List<string>();
        if (type is not null && !EventTypes.IsKnown(type))
        {
            errors.Add($"Event type '{type}' is unknown; use one of {string.Join(", ", EventTypes.All)}");
        }

        DateTimeOffset? from = null;
        try
        {
            from = since is null ? null : Duration.ParseSince(since, time.GetUtcNow(), "since");
        }
        catch (HakoException e)
        {
            errors.Add(e.Message);
        }

        return errors.Count switch
        {
            0 => new EventQuery { Container = container, Type = type, Since = from },
            1 => throw HakoException.Invalid(errors[0]),
            _ => throw new HakoException(ErrorCode.InvalidArgument, $"{errors.Count} problems with the query: {string.Join("; ", errors)}", errors),
        };
    }

    private static long? LastEventId(HttpRequest http)
    {
        var header = http.Headers["Last-Event-ID"].ToString();
        if (header.Length == 0)
        {
            return null;
        }

        return long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw HakoException.Invalid($"Last-Event-ID '{header}' is not an event id; send the id of the last event received");
    }

    /// <summary>Ends when the client goes away or hakod stops, so a follower never holds up shutdown.</summary>
    private static async IAsyncEnumerable<SseItem<EventInfo>> Stream(EventLog events, EventQuery filter, long? after,
        HttpContext http, IHostApplicationLifetime lifetime)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        // The SSE result has set the headers by now but sends them only with the first event: send them at
        // once, so a client knows the stream is open even when nothing happens for a while.
        await http.Response.Body.FlushAsync(cts.Token).ConfigureAwait(false);
        await using var e = events.ReadAsync(filter, after, cts.Token).GetAsyncEnumerator(cts.Token);
        while (true)
        {
            try
            {
                if (!await e.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                yield break;
            }

            yield return new SseItem<EventInfo>(e.Current) { EventId = e.Current.Id.ToString(CultureInfo.InvariantCulture) };
        }
    }
}
