# Dot-sourced (after Common.ps1) by the specs of the checklist cmdlets: a sandbox holding a release
# plan whose checklist: section binds ./checklist.md, a team CA the plan trusts, and two signers'
# certificates and keys made with openssl (Dana, RSA, Release Manager; Sam, ECDSA, Security Lead).

$TeamChecklist = @'
# Team release

## Before
- [ ] Database reachable from the app hosts
- [ ] Code reviewed by two seniors
- [ ] GDPR verified
- [ ] Stakeholders told

## Rollback
1. Revert the images

## Sign-off
**Release Manager**: ______ Date: ____
'@

function Invoke-OpenSsl {
    # A simple function: its arguments (-out, -in...) reach openssl as written.
    $out = & openssl @args 2>&1
    if ($LASTEXITCODE -ne 0) { throw "openssl $args failed: $out" }
}

function New-TestSigner {
    # A certificate for -Email issued by the sandbox CA (ca.pem/ca.key), and its key: <Name>.pem, <Name>.key.
    param([Parameter(Mandatory)][string] $Directory, [Parameter(Mandatory)][string] $Name, [Parameter(Mandatory)][string] $Email, [switch] $Ecdsa)
    $key = Join-Path $Directory "$Name.key"; $csr = Join-Path $Directory "$Name.csr"; $ext = Join-Path $Directory "$Name.ext"
    $newKey = if ($Ecdsa) { @('-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1') } else { @('-newkey', 'rsa:2048') }
    Invoke-OpenSsl req -new @newKey -nodes -keyout $key -out $csr -subj "/CN=$Name/emailAddress=$Email"
    Set-Content -LiteralPath $ext "subjectAltName=email:$Email`nkeyUsage=critical,digitalSignature`nbasicConstraints=critical,CA:FALSE"
    Invoke-OpenSsl x509 -req -in $csr -CA (Join-Path $Directory 'ca.pem') -CAkey (Join-Path $Directory 'ca.key') -CAcreateserial `
        -out (Join-Path $Directory "$Name.pem") -days 30 -extfile $ext
}

function New-ChecklistSandbox {
    # New-TestPlan's plan (one web service on -Port, a journal beside it) with a checklist: section, the checklist and the keys.
    param([Parameter(Mandatory)][string] $Directory, [Parameter(Mandatory)][string] $Application, [Parameter(Mandatory)][int] $Port)
    $plan = New-TestPlan -Directory $Directory -Application $Application -Port $Port
    Set-Content -LiteralPath (Join-Path $Directory 'checklist.md') -Value $TeamChecklist
    Add-Content -LiteralPath $plan.FullName -Value @'
checklist:
  files: [checklist.md]
  trust: [ca.pem]
  roles:
    Release Manager: [dana@example.com]
    Security Lead: [sam@example.com]
  items:
    - { match: database reachable, gate: database-port }
    - { match: code reviewed, attest: Security Lead }
    - { match: release manager, attest: Release Manager }
    - { match: GDPR, not_applicable: no personal data is stored }
    - { match: revert the images, step: restore }
'@
    Invoke-OpenSsl req -x509 -newkey rsa:2048 -nodes -keyout (Join-Path $Directory 'ca.key') -out (Join-Path $Directory 'ca.pem') -days 30 `
        -subj '/CN=Pester Team CA' -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'
    New-TestSigner -Directory $Directory -Name dana -Email dana@example.com
    New-TestSigner -Directory $Directory -Name sam -Email sam@example.com -Ecdsa
    $plan
}

function Get-JournalChain([Parameter(Mandatory)][string] $Directory, [Parameter(Mandatory)][string] $Application) {
    # The chain entries of the sandbox journal, in order.
    Get-ChildItem -LiteralPath (Join-Path $Directory "journal/$Application/test/chain") -Filter *.json -ErrorAction SilentlyContinue | Sort-Object Name
}
