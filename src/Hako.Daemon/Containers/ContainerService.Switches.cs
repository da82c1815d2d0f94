using Hako.Contracts;
using Hako.Core.Errors;

namespace Hako.Daemon.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// The operator-level switches: a privileged container (its root is the host's root) and a container
    /// without a disk quota (it writes straight onto the host filesystem) are only taken where hakod runs
    /// with --allow-privileged / --allow-unlimited-disk. Refused with PermissionDenied naming the switch.
    /// </summary>
    internal static void CheckSwitches(Options.HakodOptions options, bool privileged, bool unlimitedDisk, string what)
    {
        var refused = new List<string>();
        if (privileged && !options.AllowPrivileged)
        {
            refused.Add($"{what} is privileged (its root is the host's root), which node {options.NodeName} does not allow; " +
                "drop --privileged, or the operator starts hakod with --allow-privileged");
        }

        if (unlimitedDisk && !options.AllowUnlimitedDisk)
        {
            refused.Add($"{what} has no disk quota (it would write straight onto the host filesystem), which node {options.NodeName} does not allow; " +
                "give a quota such as --disk 10G, or the operator starts hakod with --allow-unlimited-disk");
        }

        if (refused.Count > 0)
        {
            throw new HakoException(ErrorCode.PermissionDenied, string.Join("; ", refused), refused);
        }
    }
}
