using Hako.Contracts;
using Hako.Daemon.Capacity;
using Hako.Daemon.Usage;

namespace Hako.Daemon.Api;

/// <summary>Capacity planning: the node's risk per resource, its chart, and the usage export backtests replay.</summary>
public static class CapacityApi
{
    public static IEndpointRouteBuilder MapCapacityApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/capacity", (double? epsilon, string? plan, CapacityService capacity) =>
            Results.Json(capacity.Report(epsilon, plan), HakoJsonContext.Default.CapacityInfo)).WithTags("capacity");

        app.MapGet("/v1/capacity/chart", (string? resource, double? epsilon, CapacityService capacity) =>
            Results.File(capacity.Chart(resource, epsilon), "image/png")).WithTags("capacity");

        app.MapGet("/v1/usage/export", async (HttpContext http, string? since, CapacityService capacity, TimeProvider time) =>
        {
            var from = Core.Units.Duration.ParseSince(since ?? "30d", time.GetUtcNow(), "since");
            http.Response.ContentType = "text/csv; charset=utf-8";
            await using var writer = new StreamWriter(http.Response.Body, leaveOpen: true);
            await capacity.ExportAsync(from, writer, http.RequestAborted);
        }).WithTags("capacity");
        return app;
    }
}
