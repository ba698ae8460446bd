# The isolated part of ReleaseOps, a nested module of ../ReleaseOps.psd1 (docs/architecture.md,
# "Load contexts"). ReleaseOps.Loader.dll sits beside this file and loads into PowerShell's default
# context; when imported it hooks the default context so that the next entry, which is not beside
# this file, is served from the module's own load context (bin/). PowerShell resolves a nested
# module that it cannot find as a file by loading the assembly by name, and keeps using the
# instance it got. This file exists because the top manifest must name only files that exist
# (Test-ModuleManifest, publishing) while the cmdlet assembly must never be loaded by path.
@{
    # <Version> of Directory.Build.props, written by the build as it lays this file out into module/.
    ModuleVersion     = '0.0.0'
    GUID              = '2b0f3f7e-5d5c-4a7b-9a38-1f3c6f0e9a11'
    NestedModules     = @('ReleaseOps.Loader.dll', 'ReleaseOps.Cmdlets.dll')
    CmdletsToExport   = '*'
    FunctionsToExport = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
