using System.Formats.Tar;
using System.Globalization;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Files;
using Hako.Linux.Interop;
using Microsoft.Win32.SafeHandles;

namespace Hako.Runtime.Archives;

public static partial class TreeArchive
{
    private const int ChunkSize = 128 * 1024;

    /// <summary>GNU tar's and star's PAX key prefix for xattrs.</summary>
    private const string GnuXattrKey = "SCHILY.xattr.";

    /// <summary>
    /// Extracts an archive read from <paramref name="input"/> into <paramref name="root"/> as root: owners, modes,
    /// xattrs, devices and times as sent, filtered by <paramref name="policy"/>. Every entry is made beneath the
    /// root handle: an existing entry of another type is removed first (a symlink where the archive has a
    /// directory is replaced, never followed); an entry with "..", an absolute name, a parent that is a symlink, or
    /// a hard link to such a name is refused (InvalidArgument) and extraction stops. All-zero blocks of a file are
    /// left as holes. Out of space is InsufficientResources.
    /// </summary>
    public static async Task<ExtractResult> ExtractAsync(Stream input, RootedDirectory root, ExtractPolicy policy, CancellationToken ct = default)
    {
        var counting = new CountingReadStream(input);
        var state = new ExtractState(root, policy);
        try
        {
            await using var reader = new TarReader(counting, leaveOpen: true);
            while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
            {
                ct.ThrowIfCancellationRequested();
                await state.ExtractEntryAsync(entry, ct);
            }

            state.ApplyDirectoryTimes();
        }
        catch (InvalidDataException e)
        {
            throw HakoException.Invalid($"The archive is not a readable tar stream ({e.Message}); send it again");
        }
        catch (IOException e) when (IsOutOfSpace(e, root.Path))
        {
            throw new HakoException(ErrorCode.InsufficientResources, $"Extracting into {root.Path} failed: the disk is full ({e.Message})", e);
        }
        catch (HakoException e) when (e.Code != ErrorCode.InsufficientResources && IsOutOfSpace(e, root.Path))
        {
            throw new HakoException(ErrorCode.InsufficientResources, $"Extracting into {root.Path} failed: the disk is full ({e.Message})", e);
        }
        finally
        {
            state.Dispose();
        }

        return state.Result(counting.Count);
    }

    private static bool IsOutOfSpace(Exception e, string root)
    {
        if (e.Message.Contains("No space left on device", StringComparison.Ordinal))
        {
            return true;
        }

        try
        {
            return Statvfs.Get(root).AvailableBytes < (4L << 20);
        }
        catch (HakoException)
        {
            return false;
        }
    }

    /// <summary>"./etc/x/" → "etc/x"; null for the root itself.</summary>
    internal static string? NormalizeName(string name)
    {
        while (name.StartsWith("./", StringComparison.Ordinal))
        {
            name = name[2..];
        }

        name = name.TrimEnd('/');
        return name.Length == 0 || name == "." ? null : name;
    }

    private sealed class ExtractState(RootedDirectory root, ExtractPolicy policy) : IDisposable
    {
        private readonly List<(string Path, long Seconds, uint Nanoseconds)> _directoryTimes = [];
        private readonly byte[] _buffer = new byte[ChunkSize];
        private DirectoryHandle? _parent;
        private string? _parentPath;
        private int _entries, _devices, _caps, _setId, _xattrs;

        public ExtractResult Result(long bytes) => new(bytes, _entries, _devices, _caps, _setId, _xattrs);

        public async Task ExtractEntryAsync(TarEntry entry, CancellationToken ct)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
            {
                return;
            }

            if (NormalizeName(entry.Name) is not { } path)
            {
                return; // the root's own entry: the root was made by hakod
            }

            if (!RootedDirectory.IsPlainRelative(path))
            {
                throw HakoException.Invalid($"Archive entry '{entry.Name}' is absolute or has a '..' part and would land outside {root.Path}; refused");
            }

            var uid = (uint)entry.Uid;
            var gid = (uint)entry.Gid;
            if (policy.OwnerRange is { } owners && (!InRange(uid, owners) || !InRange(gid, owners)))
            {
                throw HakoException.Invalid(
                    $"Archive entry '{path}' is owned by {uid}:{gid}, outside {owners.First}-{owners.First + owners.Count - 1}; refused");
            }

            var type = entry.EntryType;
            if (type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice
                && !(type == TarEntryType.CharacterDevice && Device(entry) == (0, 0)) && !policy.KeepDevices)
            {
                _devices++;
                return;
            }

            var mode = (uint)entry.Mode;
            if (type is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile
                && policy.SetIdOwnerRange is { } setIdOwners)
            {
                if ((mode & 0x800) != 0 && !InRange(uid, setIdOwners))
                {
                    mode &= ~0x800u;
                    _setId++;
                }

                if ((mode & 0x400) != 0 && !InRange(gid, setIdOwners))
                {
                    mode &= ~0x400u;
                    _setId++;
                }
            }

            var slash = path.LastIndexOf('/');
            var dirPath = slash < 0 ? "" : path[..slash];
            var name = path[(slash + 1)..];
            var parent = OpenParent(dirPath, path);
            var existing = parent.Stat(name);
            var (mtime, mtimeNs) = MTime(entry);
            var xattrs = Xattrs(entry);
            _entries++;

            switch (type)
            {
                case TarEntryType.Directory:
                    if (existing is not { IsDirectory: true })
                    {
                        if (existing is not null)
                        {
                            parent.RemoveEntry(name);
                        }

                        parent.CreateDirectory(name, 0b111_000_000);
                    }

                    SetOwnerModeXattrs(parent, name, uid, gid, mode, xattrs, existing is { IsDirectory: true });
                    _directoryTimes.Add((path, mtime, mtimeNs));
                    return;

                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    if (existing is not null)
                    {
                        parent.RemoveEntry(name);
                    }

                    using (var file = parent.CreateFile(name, 0b110_000_000))
                    {
                        if (entry.DataStream is { } data)
                        {
                            await WriteSparseAsync(file, data, entry.Length, ct);
                        }

                        OpenFile.Chown(file, uid, gid);
                        OpenFile.Chmod(file, mode); // after the chown, which clears setuid/setgid
                    }

                    SetXattrs(parent, name, xattrs, replace: false); // after the chown, which clears security.capability
                    parent.SetTimes(name, mtime, mtimeNs);
                    return;

                case TarEntryType.SymbolicLink:
                    if (existing is not null)
                    {
                        parent.RemoveEntry(name);
                    }

                    parent.CreateSymlink(name, entry.LinkName);
                    parent.Chown(name, uid, gid);
                    SetXattrs(parent, name, xattrs, replace: false);
                    parent.SetTimes(name, mtime, mtimeNs);
                    return;

                case TarEntryType.HardLink:
                    var target = NormalizeName(entry.LinkName);
                    if (target is null || !RootedDirectory.IsPlainRelative(target))
                    {
                        throw HakoException.Invalid($"Archive entry '{path}' is a hard link to '{entry.LinkName}', outside {root.Path}; refused");
                    }

                    if (existing is not null)
                    {
                        parent.RemoveEntry(name);
                    }

                    DirectoryHandle source;
                    string sourceName;
                    try
                    {
                        source = root.OpenParent(target, out sourceName);
                    }
                    catch (UnsafePathException e)
                    {
                        throw HakoException.Invalid($"Archive entry '{path}' is a hard link through a symlink ({e.Message}); refused");
                    }

                    using (source)
                    {
                        if (source.Stat(sourceName) is not { IsDirectory: false })
                        {
                            throw HakoException.Invalid($"Archive entry '{path}' is a hard link to '{target}', which is not a file in the archive; refused");
                        }

                        parent.Link(source, sourceName, name);
                    }

                    return;

                case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                    if (existing is not null)
                    {
                        parent.RemoveEntry(name);
                    }

                    var kind = type switch
                    {
                        TarEntryType.CharacterDevice => EntryStat.CharDevice,
                        TarEntryType.BlockDevice => EntryStat.BlockDevice,
                        _ => EntryStat.Fifo,
                    };
                    var (major, minor) = Device(entry);
                    parent.CreateNode(name, kind, 0, (uint)major, (uint)minor);
                    SetOwnerModeXattrs(parent, name, uid, gid, mode, xattrs, replace: false);
                    parent.SetTimes(name, mtime, mtimeNs);
                    return;

                default:
                    throw HakoException.Invalid(
                        $"Archive entry '{path}' is of type {type}, which Hako does not extract (sparse or multi-volume GNU tar); repack the archive without --sparse");
            }
        }

        private DirectoryHandle OpenParent(string dirPath, string path)
        {
            if (_parent is not null && _parentPath == dirPath)
            {
                return _parent;
            }

            _parent?.Dispose();
            _parent = null;
            try
            {
                _parent = dirPath.Length == 0 ? root.OpenDirectory("") : OpenOrCreate(dirPath);
            }
            catch (UnsafePathException e)
            {
                throw HakoException.Invalid($"Archive entry '{path}' lies below a symlink ({e.Message}); refused");
            }

            _parentPath = dirPath;
            return _parent;
        }

        private DirectoryHandle OpenOrCreate(string dirPath)
        {
            try
            {
                return root.OpenDirectory(dirPath);
            }
            catch (HakoException e) when (e.Code == ErrorCode.NotFound)
            {
                var owner = policy.MissingParentOwner;
                using var parent = root.CreateParents(dirPath + "/x", owner.Uid, owner.Gid, out _);
                return root.OpenDirectory(dirPath);
            }
        }

        private void SetOwnerModeXattrs(DirectoryHandle parent, string name, uint uid, uint gid, uint mode,
            List<KeyValuePair<string, byte[]>> xattrs, bool replace)
        {
            parent.Chown(name, uid, gid);
            parent.Chmod(name, mode);
            SetXattrs(parent, name, xattrs, replace);
        }

        /// <summary>Writes the archive's xattrs; with <paramref name="replace"/> (an entry kept from before) also removes those it no longer has.</summary>
        private void SetXattrs(DirectoryHandle parent, string name, List<KeyValuePair<string, byte[]>> xattrs, bool replace)
        {
            if (replace)
            {
                foreach (var (key, _) in parent.GetXattrs(name))
                {
                    if (!xattrs.Any(x => x.Key == key))
                    {
                        parent.RemoveXattr(name, key);
                    }
                }
            }

            foreach (var (key, value) in xattrs)
            {
                parent.SetXattr(name, key, value);
            }
        }

        private List<KeyValuePair<string, byte[]>> Xattrs(TarEntry entry)
        {
            var result = new List<KeyValuePair<string, byte[]>>();
            if (entry is not PaxTarEntry pax)
            {
                return result;
            }

            foreach (var (key, value) in pax.ExtendedAttributes)
            {
                if (key.StartsWith(GnuXattrKey, StringComparison.Ordinal))
                {
                    // GNU tar --xattrs (an operator's tarball): raw bytes the PAX text cannot carry exactly; never
                    // written, counted so the import says what it dropped.
                    if (key == GnuXattrKey + "security.capability")
                    {
                        _caps++;
                    }
                    else
                    {
                        _xattrs++;
                    }

                    continue;
                }

                if (!key.StartsWith(XattrKey, StringComparison.Ordinal))
                {
                    continue;
                }

                var name = key[XattrKey.Length..];
                if (name == "security.capability" && policy.KeepXattr is not null && !policy.KeepXattr(name))
                {
                    _caps++;
                    continue;
                }

                if (policy.KeepXattr is { } keep && !keep(name))
                {
                    _xattrs++;
                    continue;
                }

                byte[] bytes;
                try
                {
                    bytes = Convert.FromBase64String(value);
                }
                catch (FormatException)
                {
                    throw HakoException.Invalid($"Archive entry '{entry.Name}' has an unreadable value for xattr {name}; refused");
                }

                result.Add(new(name, bytes));
            }

            return result;
        }

        private static (long Seconds, uint Nanoseconds) MTime(TarEntry entry)
        {
            if (entry is PaxTarEntry pax && pax.ExtendedAttributes.TryGetValue(MTimeKey, out var text)
                && text.Split('.') is [var s, var ns]
                && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var sec)
                && uint.TryParse(ns, NumberStyles.None, CultureInfo.InvariantCulture, out var nsec) && nsec < 1_000_000_000)
            {
                return (sec, nsec);
            }

            var t = entry.ModificationTime;
            return (t.ToUnixTimeSeconds(), (uint)(t.UtcTicks % TimeSpan.TicksPerSecond * 100));
        }

        /// <summary>Copies the data, leaving all-zero chunks as holes (the file ends at the entry's length either way).</summary>
        private async Task WriteSparseAsync(SafeFileHandle file, Stream data, long length, CancellationToken ct)
        {
            long offset = 0;
            while (true)
            {
                var filled = 0;
                int n;
                while (filled < _buffer.Length && (n = await data.ReadAsync(_buffer.AsMemory(filled), ct)) > 0)
                {
                    filled += n;
                }

                if (filled == 0)
                {
                    break;
                }

                if (_buffer.AsSpan(0, filled).ContainsAnyExcept((byte)0))
                {
                    RandomAccess.Write(file, _buffer.AsSpan(0, filled), offset); // a local file: a synchronous write is cheaper than a thread-pool hop
                }

                offset += filled;
            }

            if (offset != length || RandomAccess.GetLength(file) != length)
            {
                RandomAccess.SetLength(file, length);
            }
        }

        public void ApplyDirectoryTimes()
        {
            // Children change their directory's mtime: set them last, deepest first.
            for (var i = _directoryTimes.Count - 1; i >= 0; i--)
            {
                var (path, sec, ns) = _directoryTimes[i];
                try
                {
                    using var parent = root.OpenParent(path, out var name);
                    if (parent.Stat(name) is { IsDirectory: true })
                    {
                        parent.SetTimes(name, sec, ns);
                    }
                }
                catch (HakoException e) when (e.Code is ErrorCode.NotFound or ErrorCode.Conflict)
                {
                    // replaced by a later entry of the same archive
                }
            }
        }

        private static (int Major, int Minor) Device(TarEntry e) => e is PosixTarEntry p ? (p.DeviceMajor, p.DeviceMinor) : (0, 0);

        private static bool InRange(uint id, (uint First, uint Count) range) => id >= range.First && id - range.First < range.Count;

        public void Dispose() => _parent?.Dispose();
    }

    /// <summary>Counts the bytes read from the wire.</summary>
    private sealed class CountingReadStream(Stream inner) : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => Count;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            Count += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            Count += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
