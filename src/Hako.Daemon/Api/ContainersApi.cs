using Hako.Contracts;
using Hako.Daemon.Containers;
using Hako.Daemon.Operations;

namespace Hako.Daemon.Api;

public static class ContainersApi
{
    public static RouteGroupBuilder MapContainersApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1/containers").WithTags("containers");

        g.MapGet("/", (ContainerService svc) => Results.Json(svc.List().ToList(), HakoJsonContext.Default.ListContainerInfo));

        g.MapGet("/{name}", async (string name, ContainerService svc, CancellationToken ct) =>
            Results.Json(await svc.ShowAsync(name, ct), HakoJsonContext.Default.ContainerInfo));

        g.MapPost("/", (CreateContainerRequest req, ContainerService svc, OperationManager ops) =>
        {
            var (record, warnings) = svc.Admit(req);
            var lease = svc.Locks.Acquire(record.Name, "create");
            var op = ops.Start("container.create", record.Name, async op =>
            {
                using (lease)
                {
                    await svc.CreateAsync(record, req.Start, op);
                }
            }, warnings);
            return Accepted(op);
        });

        g.MapPatch("/{name}", async (string name, UpdateContainerRequest req, ContainerService svc, CancellationToken ct) =>
        {
            using var lease = svc.Locks.Acquire(name, "set");
            var (_, warnings) = await svc.UpdateAsync(name, req, ct);
            var info = await svc.ShowAsync(name, ct) with { Warnings = warnings.Count > 0 ? warnings : null };
            return Results.Json(info, HakoJsonContext.Default.ContainerInfo);
        });

        g.MapDelete("/{name}", (string name, bool? force, ContainerService svc, OperationManager ops) =>
        {
            var lease = svc.Locks.Acquire(name, "destroy");
            try
            {
                svc.CheckDestroy(name, force == true);
            }
            catch
            {
                lease.Dispose();
                throw;
            }

            return Accepted(ops.Start("container.destroy", name, async _ =>
            {
                using (lease)
                {
                    await svc.DestroyAsync(name);
                }
            }));
        });

        g.MapPost("/{name}/start", (string name, ContainerService svc, OperationManager ops) =>
        {
            svc.CheckStartAdmission(svc.Record(name)); // refused now (409 InsufficientResources), not as a failed operation
            return Lifecycle(name, "start", svc, ops, () => svc.StartAsync(name));
        });

        g.MapPost("/{name}/stop", (string name, HttpRequest http, ContainerService svc, OperationManager ops) =>
            WithStopRequest(http, stop => Lifecycle(name, "stop", svc, ops, () => svc.StopAsync(name, stop.Force, stop.TimeoutSeconds))));

        g.MapPost("/{name}/restart", (string name, HttpRequest http, ContainerService svc, OperationManager ops) =>
            WithStopRequest(http, stop => Lifecycle(name, "restart", svc, ops, () => svc.RestartAsync(name, stop.Force, stop.TimeoutSeconds))));

        // Buffered: one JSON answer, output capped (ContainerService.BufferedExecMaxOutput). Streamed: frames as they come.
        g.MapPost("/{name}/exec", async (string name, ExecRequest req, ContainerService svc, CancellationToken ct) =>
            Results.Json(await svc.ExecAsync(name, req, ct), HakoJsonContext.Default.ExecResult));

        g.MapPost("/{name}/exec/stream", (string name, ExecRequest req, HttpContext http, ContainerService svc, ILoggerFactory logs) =>
            ExecStreamResponse.WriteAsync(http, name, req, svc, logs.CreateLogger("Hako.Daemon.Exec")));

        return g;
    }

    private static async Task<IResult> WithStopRequest(HttpRequest http, Func<StopRequest, IResult> then)
    {
        var stop = http.ContentLength is > 0 || http.Headers.TransferEncoding.Count > 0
            ? await http.ReadFromJsonAsync(HakoJsonContext.Default.StopRequest) ?? new StopRequest()
            : new StopRequest();
        if (stop.TimeoutSeconds is < 0 or > 3600)
        {
            throw Core.Errors.HakoException.Invalid($"Stop timeout {stop.TimeoutSeconds}s is out of range; use 0..3600");
        }

        return then(stop);
    }

    private static IResult Lifecycle(string name, string action, ContainerService svc, OperationManager ops, Func<Task> work)
    {
        svc.Record(name); // 404 now, not as a failed operation
        var lease = svc.Locks.Acquire(name, action);
        return Accepted(ops.Start($"container.{action}", name, async _ =>
        {
            using (lease)
            {
                await work();
            }
        }));
    }

    /// <summary>202 with the operation and its Location, for every long-running action.</summary>
    internal static IResult Accepted(Operation op) => new AcceptedWithLocation(
        Results.Json(op.ToInfo(), HakoJsonContext.Default.OperationInfo, statusCode: StatusCodes.Status202Accepted),
        $"/v1/operations/{op.Id}");

    private sealed class AcceptedWithLocation(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.Location = location;
            return inner.ExecuteAsync(http);
        }
    }
}
