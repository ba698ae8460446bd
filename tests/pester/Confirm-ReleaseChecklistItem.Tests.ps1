BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Confirm-ReleaseChecklistItem
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'Checklist.Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'confirm'
    New-ChecklistSandbox -Directory $dir -Application ro-pester-confirm -Port 26403 | Out-Null
    Push-Location $dir
}

AfterAll { Pop-Location }

Describe 'Confirm-ReleaseChecklistItem' {
    Context 'results' {
        It '-WhatIf signs and records nothing' {
            Import-ReleaseChecklist checklist.md -Kind SignOff |
                Confirm-ReleaseChecklistItem -PlanPath releaseplan.yml -Version v1 -CertificatePath dana.pem -KeyPath dana.key -WhatIf | Should -BeNullOrEmpty
            @(Get-JournalChain $dir ro-pester-confirm).Count | Should -Be 0
        }

        It 'takes items piped from Import-ReleaseChecklist and returns the signed attestation, which openssl verifies' {
            $attestation = Import-ReleaseChecklist checklist.md -Kind SignOff |
                Confirm-ReleaseChecklistItem -PlanPath releaseplan.yml -Version v1 -CertificatePath dana.pem -KeyPath dana.key -Note 'go' -Confirm:$false
            $attestation | Should -BeOfType ([ReleaseOps.Checklists.Attestation])
            $attestation.Signer.Identity | Should -Be 'dana@example.com'
            $attestation.Role | Should -Be 'Release Manager'
            @(Get-JournalChain $dir ro-pester-confirm).Count | Should -Be 1

            $attestation.Signer.CertificatePem | Set-Content signer.pem -NoNewline
            Invoke-OpenSsl x509 -in signer.pem -pubkey -noout -out signer.pub
            [IO.File]::WriteAllBytes((Join-Path $dir 'statement.sig'), [Convert]::FromBase64String($attestation.Signature))
            [IO.File]::WriteAllText((Join-Path $dir 'statement.txt'), $attestation.Statement)
            & openssl dgst -sha256 -verify signer.pub -signature statement.sig statement.txt | Should -Be 'Verified OK'
        }

        It 'takes -Plan and an encrypted key with -KeyPassword' {
            $password = 'pester-' + [guid]::NewGuid().ToString('N')
            $env:RO_PESTER_KEY_PASSWORD = $password
            try { Invoke-OpenSsl pkcs8 -topk8 -in sam.key -out sam.enc.key -passout env:RO_PESTER_KEY_PASSWORD } finally { Remove-Item Env:RO_PESTER_KEY_PASSWORD }
            $secure = ConvertTo-SecureString $password -AsPlainText -Force
            $attestation = Confirm-ReleaseChecklistItem -Plan (Get-ReleasePlan releaseplan.yml) -Id 'code reviewed' -Version v1 `
                -CertificatePath sam.pem -KeyPath sam.enc.key -KeyPassword $secure -EvidenceFile checklist.md -Confirm:$false
            $attestation.Algorithm | Should -Be 'ecdsa-sha256'
            $attestation.EvidenceFile.Sha256 | Should -Be (Get-FileHash checklist.md -Algorithm SHA256).Hash.ToLowerInvariant()
            ($attestation | Out-String) + ($Error | Out-String) | Should -Not -Match ([regex]::Escape($password))
        }

        It 'refuses a signer who is not listed for the role' {
            { Confirm-ReleaseChecklistItem -PlanPath releaseplan.yml -Id 'code reviewed' -Version v1 -CertificatePath dana.pem -KeyPath dana.key -Confirm:$false -ErrorAction Stop } |
                Should -Throw -ErrorId 'AttestationSignerNotInRole,*'
        }

        It 'takes a piped plan with -Id, and refuses -Plan with -PlanPath' {
            $attestation = Get-ReleasePlan releaseplan.yml | Confirm-ReleaseChecklistItem -Id 'release manager' -Version v3 -CertificatePath dana.pem -KeyPath dana.key -Confirm:$false
            $attestation.Version | Should -Be 'v3'
            { Confirm-ReleaseChecklistItem -PlanPath releaseplan.yml -Plan (Get-ReleasePlan releaseplan.yml) -Id 'code reviewed' -Version v1 -CertificatePath sam.pem -KeyPath sam.key } |
                Should -Throw -ErrorId 'AmbiguousParameterSet*'
        }

        It 'needs the item piped or named by -Id' {
            { Confirm-ReleaseChecklistItem releaseplan.yml -Version v1 -CertificatePath sam.pem -KeyPath sam.key } | Should -Throw -ErrorId 'ChecklistItemArgument,*'
        }
    }

    Context 'help and formats' {
        BeforeAll {
            $sandbox = Join-Path $TestDrive 'examples'
            New-ChecklistSandbox -Directory $sandbox -Application ro-pester-confirm-ex -Port 26404 | Out-Null
            Push-Location $sandbox
            $plan = Get-ReleasePlan ./releaseplan.yml
            $ConfirmPreference = 'None'
        }
        AfterAll { Pop-Location }

        It 'has generated help for every parameter' { Assert-CommandHelp Confirm-ReleaseChecklistItem }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats attestations as text for people' {
            Assert-ReadableFormat @(Confirm-ReleaseChecklistItem -PlanPath releaseplan.yml -Id 'release manager' -Version v2 -CertificatePath dana.pem -KeyPath dana.key -Confirm:$false)
        }
    }
}
