using Hako.Contracts;
using Hako.Daemon.Containers;
using Hako.Daemon.Migration;
using Hako.Daemon.Nodes;
using Hako.Daemon.Operations;

namespace Hako.Daemon.Api;

/// <summary>Peer nodes (hako node add/list/remove) and this node's service state (hako node evacuate/restore).</summary>
public static class NodesApi
{
    public static IEndpointRouteBuilder MapNodesApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1/nodes").WithTags("nodes");

        g.MapGet("/", async (NodeRegistry nodes, CancellationToken ct) =>
            Results.Json((await nodes.ListAsync(ct)).ToList(), HakoJsonContext.Default.ListPeerNodeInfo));

        g.MapPost("/", async (AddNodeRequest req, NodeRegistry nodes, CancellationToken ct) =>
            Results.Json(await nodes.AddAsync(req, ct), HakoJsonContext.Default.PeerNodeInfo, statusCode: StatusCodes.Status201Created));

        g.MapDelete("/{name}", (string name, NodeRegistry nodes) =>
        {
            nodes.Remove(name);
            return Results.NoContent();
        });

        app.MapPost("/v1/node/evacuate", (EvacuateRequest req, MigrationService migration, ContainerService svc, Options.HakodOptions options, OperationManager ops) =>
        {
            var targets = migration.EvacuationTargets(req);
            return ContainersApi.Accepted(ops.Start("node.evacuate", options.NodeName, op =>
                migration.EvacuateAsync(req, targets, info => Publish(op, info), name => svc.Locks.Acquire(name, "migrate"))));
        }).WithTags("node");

        app.MapPost("/v1/node/restore", (ContainerService svc) =>
        {
            svc.SetEvacuated(false);
            return Results.Json(svc.Node(), HakoJsonContext.Default.NodeInfo);
        }).WithTags("node");
        return app;
    }

    private static void Publish(Operation op, EvacuationInfo info)
    {
        op.Evacuation = info;
        var done = info.Containers.Count(c => c.Status is "moved" or "failed");
        op.Report(info.Containers.Count == 0 ? 99 : done * 100 / info.Containers.Count,
            $"{info.Moved} of {info.Containers.Count} moved{(info.Containers.FirstOrDefault(c => c.Status == "moving") is { } m ? $", moving {m.Container} to {m.Target}" : "")}");
    }
}
