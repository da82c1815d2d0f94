using System.Collections.Concurrent;
using Hako.Core.Errors;

namespace Hako.Daemon.Containers;

/// <summary>One lifecycle action at a time per container; a second one is refused with Busy instead of queued.</summary>
public sealed class ContainerLocks
{
    private readonly ConcurrentDictionary<string, string> _held = new();

    public IDisposable Acquire(string name, string action)
    {
        if (!_held.TryAdd(name, action))
        {
            throw HakoException.Busy(
                $"Container {name} is busy with '{_held.GetValueOrDefault(name)}'; wait for it to finish (hako operation list) and try again");
        }

        return new Releaser(this, name);
    }

    /// <summary>True while a lifecycle action runs on the container (monitors then leave it alone).</summary>
    public bool IsBusy(string name) => _held.ContainsKey(name);

    private sealed class Releaser(ContainerLocks owner, string name) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                owner._held.TryRemove(name, out _);
            }
        }
    }
}
