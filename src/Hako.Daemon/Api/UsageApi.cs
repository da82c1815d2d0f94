using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Core.Usage;
using Hako.Daemon.Containers;
using Hako.Daemon.Usage;

namespace Hako.Daemon.Api;

/// <summary>Usage: the live view, recorded history, and Prometheus metrics.</summary>
public static class UsageApi
{
    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/usage", (UsageQuery usage) =>
            Results.Json(usage.Live(TimeSpan.FromSeconds(1)), HakoJsonContext.Default.LiveUsage)).WithTags("usage");

        app.MapGet("/v1/containers/{name}/stats", (string name, string? since, string? until, string? resource, int? points,
            ContainerService containers, UsageQuery usage, TimeProvider time) =>
        {
            containers.Record(name);
            return History(usage, time, name, since, until, resource, points);
        }).WithTags("usage");

        app.MapGet("/v1/node/stats", (string? since, string? until, string? resource, int? points, UsageQuery usage, TimeProvider time) =>
            History(usage, time, UsageSample.NodeSeries, since, until, resource, points)).WithTags("usage");

        app.MapGet("/metrics", async (HttpContext http, PrometheusExporter exporter) =>
        {
            http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await exporter.ExportAsync(http.Response.Body, http.RequestAborted);
        }).WithTags("usage");
        return app;
    }

    private static IResult History(UsageQuery usage, TimeProvider time, string series, string? since, string? until, string? resource, int? points)
    {
        var now = time.GetUtcNow();
        var from = Core.Units.Duration.ParseSince(since ?? "1h", now, "since");
        var to = until is null ? now : Core.Units.Duration.ParseSince(until, now, "until");
        return Results.Json(usage.History(series, from, to, resource, points ?? 500), HakoJsonContext.Default.UsageHistory);
    }
}
