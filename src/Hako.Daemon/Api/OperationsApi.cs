using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Daemon.Operations;

namespace Hako.Daemon.Api;

public static class OperationsApi
{
    public static RouteGroupBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1/operations").WithTags("operations");
        g.MapGet("/", (OperationManager ops) =>
            Results.Json(ops.List().Select(o => o.ToInfo()).ToList(), HakoJsonContext.Default.ListOperationInfo));
        g.MapGet("/{id}", (string id, OperationManager ops) =>
            Results.Json(Find(ops, id).ToInfo(), HakoJsonContext.Default.OperationInfo));
        g.MapGet("/{id}/wait", async (string id, int? timeout, OperationManager ops, CancellationToken ct) =>
        {
            var op = Find(ops, id);
            var wait = TimeSpan.FromSeconds(Math.Clamp(timeout ?? 60, 0, 3600));
            try
            {
                await op.Completion.WaitAsync(wait, ct);
            }
            catch (TimeoutException)
            {
                // Still running: the caller sees status "running" and waits again.
            }

            return Results.Json(op.ToInfo(), HakoJsonContext.Default.OperationInfo);
        });
        return g;
    }

    private static Operation Find(OperationManager ops, string id) =>
        ops.Get(id) ?? throw HakoException.NotFound($"Operation {id} does not exist (finished operations are kept for 10 minutes)");
}
