<#
.SYNOPSIS
    Writes the module's cmdlet help (MAML) from the commands as PowerShell sees them.
.DESCRIPTION
    Imports the built module and reads each exported cmdlet's CommandInfo: its parameter sets (one
    syntax block each), every parameter's type (Nullable<T> shown as T, switches as switches),
    position, pipeline input, aliases and wildcard support, the input types it takes from the
    pipeline and the [OutputType]s it declares. The prose (synopsis, description, parameter
    descriptions, examples) comes from the cmdlets' XML documentation comments, which the build
    copies to module/bin/ReleaseOps.Cmdlets.xml. A parameter or cmdlet without prose is an error:
    every one is documented.

    The checked-in en-US/ReleaseOps.Cmdlets.dll-Help.xml is this script's output; a Pester spec
    (tests/pester/Help.Tests.ps1) fails when the two differ. After changing a cmdlet, build and run:
        scripts/pwsh -NoProfile -File scripts/Write-ReleaseOpsHelp.ps1
.PARAMETER OutputPath
    Where to write the MAML file (default: en-US/ReleaseOps.Cmdlets.dll-Help.xml in the repository).
#>
[CmdletBinding()]
param(
    [string] $OutputPath = (Join-Path $PSScriptRoot '../en-US/ReleaseOps.Cmdlets.dll-Help.xml')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
Import-Module (Join-Path $root 'ReleaseOps.psd1') -Force
$documentation = Join-Path $root 'module/bin/ReleaseOps.Cmdlets.xml'
if (-not (Test-Path -LiteralPath $documentation)) { throw "$documentation is missing: build first (dotnet build ReleaseOps.sln -c Release)." }
$members = @{}
foreach ($member in ([xml](Get-Content -LiteralPath $documentation -Raw)).doc.members.member) { $members[$member.name] = $member }

# -WhatIf and -Confirm are documented like any parameter (as PowerShell's own cmdlets do); the other common ones are not.
$common = [System.Management.Automation.PSCmdlet]::CommonParameters + 'UseTransaction'
$shouldProcess = @{
    WhatIf  = 'Shows what the cmdlet would change (each change as a "What if:" line) without changing anything.'
    Confirm = 'Asks for confirmation before each change. Cmdlets with ConfirmImpact High ask without it; -Confirm:$false does not ask.'
}
$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

function Get-Text([System.Xml.XmlNode] $Node) {
    # The text of a documentation element: <see cref="X.Y"/> as Y, whitespace collapsed, typed paras left to their readers.
    if (-not $Node) { return '' }
    $parts = foreach ($child in $Node.ChildNodes) {
        if ($child.NodeType -in 'Text', 'CDATA') { $child.Value }
        elseif ($child.LocalName -eq 'see') { ($child.GetAttribute('cref') -split '[.:]')[-1] }
        elseif ($child.LocalName -eq 'para' -and $child.GetAttribute('type')) { '' }
        elseif ($child.LocalName -ne 'code') { Get-Text $child }
    }
    (($parts -join '') -replace '\s+', ' ').Trim()
}

function Get-Para([System.Xml.XmlNode] $Member, [string] $Type) {
    if (-not $Member) { return '' }
    $para = $Member.SelectSingleNode("summary/para[@type='$Type']")
    if ($para) { Get-Text $para } else { Get-Text $Member.SelectSingleNode('summary') }
}

function Get-TypeName([type] $Type, [switch] $Full) {
    # How a parameter's type reads in help: Nullable<T> as T, arrays as T[], generic types by their simple name.
    $element = [Nullable]::GetUnderlyingType($Type)
    if ($element) { $Type = $element }
    if ($Type.IsArray) { return (Get-TypeName $Type.GetElementType() -Full:$Full) + '[]' }
    if ($Full) { $Type.FullName } else { $Type.Name }
}

function Get-PipelineInput([System.Management.Automation.ParameterSetMetadata[]] $Sets) {
    $how = @(
        if ($Sets | Where-Object ValueFromPipeline) { 'ByValue' }
        if ($Sets | Where-Object ValueFromPipelineByPropertyName) { 'ByPropertyName' }
    )
    if ($how) { "True ($($how -join ', '))" } else { 'False' }
}

function Write-Parameter([System.Xml.XmlWriter] $Writer, $Command, [System.Management.Automation.ParameterMetadata] $Parameter,
    [System.Management.Automation.ParameterSetMetadata[]] $Sets, [switch] $Described) {
    $isSwitch = $Parameter.SwitchParameter
    $position = @($Sets | Where-Object Position -ge 0 | ForEach-Object Position | Select-Object -First 1)
    $wildcards = [bool]($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    $Writer.WriteStartElement('command', 'parameter', $ns.command)
    $Writer.WriteAttributeString('required', ([string][bool](-not ($Sets | Where-Object { -not $_.IsMandatory }))).ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', ([string]$Parameter.ParameterType.IsArray).ToLowerInvariant())
    $Writer.WriteAttributeString('globbing', ([string]$wildcards).ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', (Get-PipelineInput $Sets))
    $Writer.WriteAttributeString('position', $(if ($position.Count) { [string]$position[0] } else { 'named' }))
    $Writer.WriteAttributeString('aliases', $(if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $ns.maml, $Parameter.Name)
    if ($Described) {
        $property = $Command.ImplementingType.GetProperty($Parameter.Name)
        $text = if ($property) { Get-Para $members["P:$($property.DeclaringType.FullName).$($Parameter.Name)"] 'description' } else { $shouldProcess[$Parameter.Name] }
        if (-not $text) { throw "$($Command.Name) -$($Parameter.Name) has no documentation: add a <summary><para type=""description""> to its property." }
        $Writer.WriteStartElement('maml', 'description', $ns.maml)
        $Writer.WriteElementString('maml', 'para', $ns.maml, $text)
        $Writer.WriteEndElement()
    }
    if (-not $isSwitch) {
        $Writer.WriteStartElement('command', 'parameterValue', $ns.command)
        $Writer.WriteAttributeString('required', 'true')
        $Writer.WriteAttributeString('variableLength', ([string]$Parameter.ParameterType.IsArray).ToLowerInvariant())
        $Writer.WriteString((Get-TypeName $Parameter.ParameterType))
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $ns.dev)
    $Writer.WriteElementString('maml', 'name', $ns.maml, $(if ($isSwitch) { 'System.Management.Automation.SwitchParameter' } else { Get-TypeName $Parameter.ParameterType -Full }))
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()
}

function Write-Types([System.Xml.XmlWriter] $Writer, [string] $List, [string] $Item, [object[]] $Entries) {
    $Writer.WriteStartElement('command', $List, $ns.command)
    foreach ($entry in $Entries) {
        $Writer.WriteStartElement('command', $Item, $ns.command)
        $Writer.WriteStartElement('dev', 'type', $ns.dev)
        $Writer.WriteElementString('maml', 'name', $ns.maml, $entry.Type)
        $Writer.WriteEndElement()
        $Writer.WriteStartElement('maml', 'description', $ns.maml)
        $Writer.WriteElementString('maml', 'para', $ns.maml, $entry.Text)
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; IndentChars = '  '; Encoding = [System.Text.UTF8Encoding]::new($false); NewLineChars = "`n" }
$buffer = [System.IO.MemoryStream]::new()
$writer = [System.Xml.XmlWriter]::Create($buffer, $settings)
$writer.WriteStartDocument()
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')
foreach ($prefix in 'maml', 'command', 'dev') { $writer.WriteAttributeString('xmlns', $prefix, $null, $ns[$prefix]) }

foreach ($command in Get-Command -Module ReleaseOps -CommandType Cmdlet | Sort-Object Name) {
    $type = $members["T:$($command.ImplementingType.FullName)"]
    $synopsis = Get-Para $type 'synopsis'
    $description = Get-Para $type 'description'
    if (-not $synopsis -or -not $description) { throw "$($command.Name) has no synopsis or description in its XML documentation." }
    $parameters = @($command.Parameters.Values | Where-Object Name -notin $common | Sort-Object Name)
    $setsOf = @{}
    foreach ($parameter in $parameters) { $setsOf[$parameter.Name] = @($parameter.ParameterSets.Values) }

    $writer.WriteStartElement('command', 'command', $ns.command)
    $writer.WriteStartElement('command', 'details', $ns.command)
    $writer.WriteElementString('command', 'name', $ns.command, $command.Name)
    $writer.WriteStartElement('maml', 'description', $ns.maml)
    $writer.WriteElementString('maml', 'para', $ns.maml, $synopsis)
    $writer.WriteEndElement()
    $writer.WriteElementString('command', 'verb', $ns.command, $command.Verb)
    $writer.WriteElementString('command', 'noun', $ns.command, $command.Noun)
    $writer.WriteEndElement()
    $writer.WriteStartElement('maml', 'description', $ns.maml)
    $writer.WriteElementString('maml', 'para', $ns.maml, $description)
    $writer.WriteEndElement()

    # One syntax block per parameter set, its parameters in the order a user types them: positional, then mandatory, then the rest.
    $writer.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $command.ParameterSets | Sort-Object Name) {
        $writer.WriteStartElement('command', 'syntaxItem', $ns.command)
        $writer.WriteElementString('maml', 'name', $ns.maml, $command.Name)
        $inSet = foreach ($member in $set.Parameters | Where-Object Name -notin $common) {
            $order = if ($member.Position -ge 0) { $member.Position } elseif ($member.IsMandatory) { 1000 } else { 2000 }
            [pscustomobject]@{ Name = $member.Name; Order = $order }
        }
        foreach ($member in $inSet | Sort-Object Order, Name) {
            $parameter = $command.Parameters[$member.Name]
            $metadata = @($parameter.ParameterSets[$set.Name] ?? $parameter.ParameterSets['__AllParameterSets'])
            Write-Parameter $writer $command $parameter $metadata
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($parameter in $parameters) { Write-Parameter $writer $command $parameter $setsOf[$parameter.Name] -Described }
    $writer.WriteEndElement()

    $inputs = @(
        foreach ($parameter in $parameters) {
            $sets = $setsOf[$parameter.Name]
            if ($sets | Where-Object ValueFromPipeline) {
                [pscustomobject]@{ Type = (Get-TypeName $parameter.ParameterType -Full); Text = "Bound to -$($parameter.Name) by value." }
            }
            if ($sets | Where-Object ValueFromPipelineByPropertyName) {
                $names = @($parameter.Name) + $parameter.Aliases
                [pscustomobject]@{ Type = 'System.Object'; Text = "Any object with a property named $($names -join ' or '), bound to -$($parameter.Name) by property name." }
            }
        }
    )
    if (-not $inputs) { $inputs = @([pscustomobject]@{ Type = 'None'; Text = 'This cmdlet takes no pipeline input.' }) }
    Write-Types $writer 'inputTypes' 'inputType' $inputs
    $outputs = @($command.OutputType | ForEach-Object { [pscustomobject]@{ Type = $_.Type.FullName; Text = "Written for each $($_.Type.Name)." } })
    if (-not $outputs) { throw "$($command.Name) declares no [OutputType]." }
    Write-Types $writer 'returnValues' 'returnValue' $outputs

    $examples = @($type.SelectNodes('example'))
    if (-not $examples) { throw "$($command.Name) has no <example>." }
    $writer.WriteStartElement('command', 'examples', $ns.command)
    $number = 0
    foreach ($example in $examples) {
        $number++
        $writer.WriteStartElement('command', 'example', $ns.command)
        $writer.WriteElementString('maml', 'title', $ns.maml, "-------------------------- EXAMPLE $number --------------------------")
        $writer.WriteElementString('dev', 'code', $ns.dev, $example.SelectSingleNode('code').InnerText.Trim())
        $writer.WriteStartElement('dev', 'remarks', $ns.dev)
        $writer.WriteElementString('maml', 'para', $ns.maml, (Get-Text $example))
        $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'relatedLinks', $ns.command)
    $writer.WriteStartElement('maml', 'navigationLink', $ns.maml)
    $writer.WriteElementString('maml', 'linkText', $ns.maml, 'about_ReleaseOps')
    $writer.WriteEndElement()
    $writer.WriteEndElement()
    $writer.WriteEndElement()
}
$writer.WriteEndElement()
$writer.WriteEndDocument()
$writer.Flush()
$text = [System.Text.Encoding]::UTF8.GetString($buffer.ToArray()) + "`n"
$directory = Split-Path -Parent $OutputPath
if ($directory) { $null = New-Item -ItemType Directory -Force -Path $directory }
[System.IO.File]::WriteAllText([System.IO.Path]::GetFullPath($OutputPath, (Get-Location).ProviderPath), $text, [System.Text.UTF8Encoding]::new($false))
Write-Verbose "Wrote help for $((Get-Command -Module ReleaseOps -CommandType Cmdlet).Count) cmdlets to $OutputPath"
