using System.Text;
using System.Text.Json.Serialization.Metadata;
using Hako.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hako.Cli.Tests;

/// <summary>
/// A tiny stand-in for hakod on a temp unix socket (and optionally 127.0.0.1): canned answers per
/// "METHOD /path", every request recorded.
/// </summary>
internal sealed class FakeHakod : IAsyncDisposable
{
    private readonly Dictionary<string, Queue<Answer>> _routes = new(StringComparer.Ordinal);
    private readonly WebApplication _app;
    private readonly string _directory;

    private FakeHakod(WebApplication app, string directory, string socketPath)
    {
        _app = app;
        _directory = directory;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    public Uri? TcpUrl { get; private set; }

    public List<RecordedRequest> Requests { get; } = [];

    public static async Task<FakeHakod> StartAsync(bool tcp = false)
    {
        var directory = Directory.CreateTempSubdirectory("hako-cli-test-").FullName;
        var socketPath = Path.Join(directory, "hako.sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenUnixSocket(socketPath);
            if (tcp)
            {
                kestrel.Listen(System.Net.IPAddress.Loopback, 0);
            }
        });
        var app = builder.Build();
        var fake = new FakeHakod(app, directory, socketPath);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        if (tcp)
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            fake.TcpUrl = new Uri(addresses.Addresses.First(a => a.StartsWith("http://127.0.0.1", StringComparison.Ordinal)));
        }

        return fake;
    }

    /// <summary>Answers with <paramref name="value"/> as JSON; several calls for one route answer in turn (the last repeats).</summary>
    public FakeHakod On<T>(string method, string path, int status, T value, JsonTypeInfo<T> typeInfo) =>
        On(method, path, status, System.Text.Json.JsonSerializer.Serialize(value, typeInfo), "application/json");

    public FakeHakod OnProblem(string method, string path, ProblemInfo problem) =>
        On(method, path, problem.Status, System.Text.Json.JsonSerializer.Serialize(problem, HakoJsonContext.Default.ProblemInfo),
            "application/problem+json");

    public FakeHakod On(string method, string path, int status, string? body = null, string contentType = "application/json")
    {
        var key = method + " " + path;
        if (!_routes.TryGetValue(key, out var answers))
        {
            _routes[key] = answers = new Queue<Answer>();
        }

        answers.Enqueue(new Answer(status, body, contentType));
        return this;
    }

    public RecordedRequest Single(string method, string path) =>
        Assert.Single(Requests, r => r.Method == method && r.Path == path);

    private async Task HandleAsync(HttpContext context)
    {
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        var request = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "", body, context.Request.Headers.Authorization.ToString());
        lock (Requests)
        {
            Requests.Add(request);
        }

        Answer answer;
        lock (_routes)
        {
            if (!_routes.TryGetValue(request.Method + " " + request.Path, out var answers))
            {
                answer = new Answer(404, $$"""{"title":"No route","status":404,"code":"NotFound","detail":"fake hakod has no {{request.Method}} {{request.Path}}"}""", "application/problem+json");
            }
            else
            {
                answer = answers.Count > 1 ? answers.Dequeue() : answers.Peek();
            }
        }

        context.Response.StatusCode = answer.Status;
        if (answer.Body is not null)
        {
            context.Response.ContentType = answer.ContentType;
            await context.Response.WriteAsync(answer.Body);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed record Answer(int Status, string? Body, string ContentType);
}

internal sealed record RecordedRequest(string Method, string Path, string Query, string Body, string Authorization);
