using System.Net;
using System.Net.Http.Json;
using System.Text;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;

namespace Hako.Integration.Tests.Hostile;

/// <summary>
/// Upload bodies are bounded: an endless template body stops at --max-template-size (plus metadata), one that
/// declares more than the free space is refused before anything is written, and nothing is left behind.
/// </summary>
public sealed class UploadFloodTests : IAsyncLifetime
{
    private readonly HakodNode _node = new();
    private string? _skip;

    public async Task InitializeAsync()
    {
        if (!HakodNode.CanRun(out var reason))
        {
            _skip = reason;
            return;
        }

        _node.ExtraArgs.AddRange(["--max-template-size", "32M"]);
        await _node.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_skip is null)
        {
            await _node.DisposeAsync();
        }
    }

    private long _peakDisk;

    [SkippableFact]
    public async Task TemplateUpload_Endless_StopsAtTheCap_WithDiskUseBounded_AndNoLeftovers()
    {
        Skip.If(_skip is not null, _skip);
        using var stopSampling = new CancellationTokenSource();
        var templatesDir = Path.Combine(_node.DataDir, "templates");
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                _peakDisk = Math.Max(_peakDisk, AllocatedBytes(templatesDir));
                await Task.Delay(50);
            }
        });
        var body = new EndlessTarStream();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await using (var memory = HakodMemory.Watch(_node.Pid!.Value))
        {
            var content = new StreamContent(body, 1 << 16);
            var (status, problem) = await Send(_node.Http.PutAsync("/v1/templates/flood/content?hash=x", content));
            Console.WriteLine($"endless template upload: {(status is null ? "connection closed" : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture))} " +
                $"after {body.Sent >> 20} MB sent in {sw.Elapsed.TotalSeconds:0.0} s; peak disk under templates/ {_peakDisk >> 20} MB; {memory}; {problem?.Detail}");
            // 0 is fine too: the extractor may refuse the entry's declared 8G size before writing a byte.
            Assert.True(_peakDisk < 100L << 20, $"templates/ held {_peakDisk >> 20} MB during the upload");
            if (status is not null)
            {
                Assert.Equal(HttpStatusCode.BadRequest, status);
                Assert.Contains("--max-template-size", problem!.Detail);
            }

            Assert.True(memory.Growth < 100L << 20, memory.ToString());
        }

        // hakod stopped writing at the cap (32M + 64M of metadata); what it reads after its answer is dropped,
        // for the few seconds Kestrel gives a body to end before it closes the connection.
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"the endless upload went on for {sw.Elapsed}");
        await stopSampling.CancelAsync();
        await sampler;
        var templates = Path.Combine(_node.DataDir, "templates");
        Assert.Empty(Directory.Exists(templates) ? Directory.EnumerateFileSystemEntries(templates) : []);
        var list = (await _node.Http.GetFromJsonAsync("/v1/templates", HakoJsonContext.Default.ListTemplateInfo))!;
        Assert.DoesNotContain(list, t => t.Name == "flood");
    }

    [SkippableFact]
    public async Task TemplateUpload_DeclaringMoreThanTheCap_IsRefusedBeforeWriting()
    {
        Skip.If(_skip is not null, _skip);
        var content = new StreamContent(new EndlessTarStream());
        content.Headers.ContentLength = 1L << 40;
        var (status, problem) = await Send(_node.Http.PutAsync("/v1/templates/big/content?hash=x", content));
        if (status is not null)
        {
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains("more than this node takes", problem!.Detail);
        }

        var templates = Path.Combine(_node.DataDir, "templates");
        Assert.Empty(Directory.Exists(templates) ? Directory.EnumerateFileSystemEntries(templates) : []);
    }

    /// <summary>Bytes of the files under a directory (tar writes the big file sequentially), 0 when it is gone.</summary>
    private static long AllocatedBytes(string dir)
    {
        try
        {
            return Directory.Exists(dir)
                ? new DirectoryInfo(dir).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 }).Sum(f => f.Length)
                : 0;
        }
        catch (IOException)
        {
            return 0; // removed while being walked
        }
    }

    /// <summary>
    /// The answer, or null when hakod closed the connection while the body was still being sent (also a refusal:
    /// HTTP/1.1 lets a server answer early and stop reading).
    /// </summary>
    private static async Task<(HttpStatusCode? Status, ProblemInfo? Problem)> Send(Task<HttpResponseMessage> call)
    {
        try
        {
            using var r = await call;
            return (r.StatusCode, await HakodNode.ProblemAsync(r));
        }
        catch (HttpRequestException)
        {
            return (null, null);
        }
    }

    /// <summary>A tar archive that never ends: one ustar header for an 8 GB file, then zeros forever.</summary>
    private sealed class EndlessTarStream : Stream
    {
        private readonly byte[] _header = Header();
        public long Sent { get; private set; }

        private static byte[] Header()
        {
            var h = new byte[512];
            void Put(int offset, string text) => Encoding.ASCII.GetBytes(text).CopyTo(h, offset);
            Put(0, "rootfs/big");
            Put(100, "0000644\0");
            Put(108, "0000000\0");
            Put(116, "0000000\0");
            Put(124, "77777777777\0");
            Put(136, "00000000000\0");
            Put(148, "        ");
            h[156] = (byte)'0';
            Put(257, "ustar\0");
            Put(263, "00");
            var sum = h.Sum(b => b);
            Put(148, Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ");
            return h;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            var n = count;
            if (Sent < 512)
            {
                n = (int)Math.Min(count, 512 - Sent);
                Array.Copy(_header, Sent, buffer, offset, n);
            }

            Sent += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Sent; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
