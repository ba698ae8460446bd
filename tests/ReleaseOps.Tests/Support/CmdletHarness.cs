using System.Reflection;
using ReleaseOps.Cmdlets.Hosting;

namespace ReleaseOps.Tests.Support;

/// <summary>
/// Drives a cmdlet through BeginProcessing/ProcessRecord/EndProcessing with a
/// <see cref="RecordingRuntime"/> in place of the PowerShell host. Set parameters on the cmdlet
/// first; for pipeline input call <see cref="Invoke{T}(T, IEnumerable{Action{T}})"/> with one
/// setter per input object, as the parameter binder would bind each.
/// </summary>
public static class CmdletHarness
{
    private static readonly MethodInfo Begin = Protected("BeginProcessing");
    private static readonly MethodInfo Process = Protected("ProcessRecord");
    private static readonly MethodInfo End = Protected("EndProcessing");
    private static readonly MethodInfo Stop = Protected("StopProcessing");

    public static RecordingRuntime Invoke<T>(T cmdlet, bool whatIf = false) where T : ReleaseOpsCmdlet =>
        Invoke(cmdlet, new Action<T>[] { _ => { } }, whatIf);

    public static RecordingRuntime Invoke<T>(T cmdlet, IEnumerable<Action<T>> pipelineInputs, bool whatIf = false)
        where T : ReleaseOpsCmdlet
    {
        var runtime = new RecordingRuntime { WhatIf = whatIf };
        cmdlet.Runtime = runtime;
        Call(Begin, cmdlet);
        foreach (var bind in pipelineInputs)
        {
            bind(cmdlet);
            Call(Process, cmdlet);
        }
        Call(End, cmdlet);
        return runtime;
    }

    /// <summary>Simulates Ctrl+C: what PowerShell does from another thread.</summary>
    public static void PressCtrlC(ReleaseOpsCmdlet cmdlet) => Call(Stop, cmdlet);

    private static void Call(MethodInfo method, object target)
    {
        try
        {
            method.Invoke(target, null);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
        }
    }

    private static MethodInfo Protected(string name) =>
        typeof(System.Management.Automation.Cmdlet).GetMethod(name, BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException($"Cmdlet.{name} not found");
}
