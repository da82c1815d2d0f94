using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Daemon.Api;
using Hako.Daemon.Containers;
using Hako.Daemon.Monitoring;
using Hako.Daemon.Operations;
using Hako.Daemon.Options;
using Hako.Daemon.Reconcile;
using Hako.Linux.Cgroups;
using Hako.Runtime;
using Hako.Runtime.Lxc;
using Hako.Runtime.Storage;
using Hako.Runtime.Templates;
using Hako.State;
using Hako.State.Sqlite;

namespace Hako.Daemon;

/// <summary>Wires hakod together: state, runtime, API endpoints, background services, and the start-up reconcile.</summary>
public sealed class HakodHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FileStream _lock;

    private HakodHost(WebApplication app, FileStream dataDirLock) => (_app, _lock) = (app, dataDirLock);

    public IServiceProvider Services => _app.Services;

    public static async Task<HakodHost> BuildAsync(HakodOptions options, CancellationToken ct = default)
    {
        if (Environment.UserName != "root" && !OperatingSystem.IsLinux())
        {
            throw new HakoException(ErrorCode.PermissionDenied, "hakod runs on Linux as root");
        }

        var paths = new NodePaths(options.DataDir);
        paths.EnsureCreated();
        var dataDirLock = LockDataDir(paths);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss "; });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

        PrepareSocket(options.Socket);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenUnixSocket(options.Socket);
            if (options.Listen is not null)
            {
                k.Listen(IPEndPoint.Parse(options.Listen));
            }
        });

        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, HakoJsonContext.Default));
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(paths);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IStateStore>(_ => new SqliteStateStore(paths.Database));
        builder.Services.AddSingleton(_ => CgroupDriverFactory.Detect());
        builder.Services.AddSingleton(_ => new TemplateStore(paths.DataDir, options.UidBase) { MaxTemplateBytes = options.MaxTemplateSizeBytes });
        builder.Services.AddSingleton<LxcDriver>();
        builder.Services.AddSingleton<PrivateArea>();
        builder.Services.AddSingleton<ContainerLocks>();
        builder.Services.AddSingleton<Events.EventLog>();
        builder.Services.AddHostedService<Events.EventPruner>();
        builder.Services.AddSingleton<Resources.PlanCatalog>();
        builder.Services.AddSingleton<Beancounters.BeancounterService>();
        builder.Services.AddSingleton(sp => new Linux.Beancounters.BeancounterProbe(sp.GetRequiredService<ICgroupDriver>()));
        builder.Services.AddSingleton(_ => Linux.Cgroups.Io.IoControllerFactory.Detect());
        builder.Services.AddSingleton<ContainerService>();
        builder.Services.AddSingleton<Nodes.NodeRegistry>();
        builder.Services.AddSingleton<Runtime.Migration.CriuProbe>();
        builder.Services.AddSingleton<Migration.MigrationService>();
        builder.Services.AddSingleton<OperationManager>();
        builder.Services.AddSingleton<Reconciler>();
        builder.Services.AddSingleton<LimitMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LimitMonitor>());
        // The usage store opens its own connection to the file the state store has migrated.
        builder.Services.AddSingleton<IUsageStore>(sp =>
        {
            sp.GetRequiredService<IStateStore>();
            return new SqliteUsageStore(paths.Database);
        });
        builder.Services.AddSingleton<Usage.UsageSampler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Usage.UsageSampler>());
        builder.Services.AddSingleton<Usage.UsageQuery>();
        builder.Services.AddSingleton<Usage.UsageTransfers>();
        builder.Services.AddSingleton<Usage.PrometheusExporter>();
        builder.Services.AddSingleton<Capacity.CapacityService>();

        var app = builder.Build();
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http);
            }
            catch (Exception e) when (!http.Response.HasStarted)
            {
                var problem = Problems.From(e);
                if (problem.Status >= 500)
                {
                    app.Logger.LogError(e, "{Method} {Path} failed", http.Request.Method, http.Request.Path);
                }

                await Problems.Result(problem).ExecuteAsync(http);
            }
        });

        if (options.Listen is not null)
        {
            var token = EnsureToken(paths, "api.token");
            // A scraper gets a token of its own that opens /metrics and nothing else.
            var metricsToken = EnsureToken(paths, "metrics.token");
            app.Use(async (http, next) =>
            {
                // The unix socket is guarded by its file mode; TCP needs the bearer token.
                var authorization = http.Request.Headers.Authorization.ToString();
                var allowed = authorization == $"Bearer {token}"
                    || (http.Request.Path == "/metrics" && authorization == $"Bearer {metricsToken}");
                if (http.Connection.LocalIpAddress is not null && !allowed)
                {
                    throw new HakoException(ErrorCode.Unauthorized,
                        $"Missing or wrong bearer token; send 'Authorization: Bearer <token>' with the token from {Path.Combine(paths.DataDir, "api.token")} (or, for /metrics only, {Path.Combine(paths.DataDir, "metrics.token")})");
                }

                await next(http);
            });
        }

        // Every {name} in a route (container, template, plan, node) follows the one name rule before any
        // handler sees it: no "..", "%2F", "\n", unicode or 64+ characters reach a lookup, a path or a command.
        app.Use(async (http, next) =>
        {
            if (http.GetRouteValue("name") is string name && Core.Validation.Names.CheckName(name, "The name in the URL") is { } error)
            {
                throw HakoException.Invalid(error);
            }

            await next(http);
        });

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapNodeApi();
        app.MapTemplatesApi();
        app.MapContainersApi();
        app.MapPlansApi();
        app.MapBeancountersApi();
        app.MapOperationsApi();
        app.MapUsageApi();
        app.MapCapacityApi();
        app.MapEventsApi();
        app.MapNodesApi();
        app.MapMigrationApi();
        app.MapFallback(() => Problems.Result(Problems.From(HakoException.NotFound("No such endpoint; see /openapi/v1.json"))));

        app.Services.GetRequiredService<TemplateStore>().RemoveLeftovers();
        await app.Services.GetRequiredService<Reconciler>().RunAsync(ct);
        return new HakodHost(app, dataDirLock);
    }

    public async Task RunAsync(CancellationToken ct = default)
    {
        await _app.StartAsync(ct);
        var options = _app.Services.GetRequiredService<HakodOptions>();
        File.SetUnixFileMode(options.Socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Log.Started(_app.Logger, typeof(HakodHost).Assembly.GetName().Version?.ToString(3) ?? "0", options.Socket,
            options.DataDir, options.NodeName, _app.Services.GetRequiredService<ICgroupDriver>().Version);
        await _app.WaitForShutdownAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _lock.DisposeAsync();
    }

    /// <summary>One hakod per data dir: a second one on the same dir would fight over the same containers.</summary>
    private static FileStream LockDataDir(NodePaths paths)
    {
        try
        {
            return new FileStream(Path.Combine(paths.DataDir, "hakod.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new HakoException(ErrorCode.Conflict,
                $"Another hakod is already running on data dir {paths.DataDir}; stop it first or pick another --data-dir");
        }
    }

    private static void PrepareSocket(string socket)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(socket)!);
        if (!File.Exists(socket))
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(socket));
        }
        catch (SocketException)
        {
            File.Delete(socket); // stale socket from a hakod that died
            return;
        }

        throw new HakoException(ErrorCode.Conflict, $"Another hakod is already serving {socket}; stop it first or pick another --socket");
    }

    private static string EnsureToken(NodePaths paths, string name)
    {
        var file = Path.Combine(paths.DataDir, name);
        if (!File.Exists(file))
        {
            File.WriteAllText(file, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return File.ReadAllText(file).Trim();
    }
}
