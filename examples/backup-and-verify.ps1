#Requires -Version 7.4
<#
.SYNOPSIS
    Backs up a PostgreSQL database and a Redis server, proves both backups by restoring them, applies
    retention, and restores the newest verified PostgreSQL backup into a copy.
.DESCRIPTION
    Needs pg_dump/pg_restore and redis-server on PATH. Credentials are asked for when not given.
.EXAMPLE
    ./examples/backup-and-verify.ps1 -Database shop -PgPort 5432 -Destination ./backups
#>
[CmdletBinding()]
param(
    [string] $Database = 'shop',
    [string] $PgServer = '127.0.0.1',
    [int] $PgPort = 5432,
    # PostgreSQL user and password.
    [pscredential] $PgCredential = (Get-Credential -Message 'PostgreSQL user and password'),
    [string] $RedisServer = '127.0.0.1',
    [int] $RedisPort = 6379,
    # The Redis password (user "default", or an ACL user).
    [pscredential] $RedisCredential = (Get-Credential -UserName default -Message 'Redis password'),
    # Where the backups go, relative to the current location.
    [string] $Destination = './backups',
    [string] $Release = 'v1.0.0'
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../ReleaseOps.psd1')

# Backup, then the dbatools-style test-restore: checksum, pg_restore --list, scratch restore, row counts.
Backup-PgDatabase -Database $Database -Server $PgServer -Port $PgPort -Credential $PgCredential -Destination "$Destination/pg" -Release $Release -TableChecksum |
    Test-PgBackup -Credential $PgCredential | Format-Table | Out-Host

Backup-RedisData -Server $RedisServer -Port $RedisPort -Credential $RedisCredential -Destination "$Destination/redis" -Release $Release |
    Test-RedisBackup | Format-Table | Out-Host

# What is there, and what retention would remove (the newest verified backup is always kept).
Get-ReleaseBackup "$Destination/pg" | Format-Table | Out-Host
Remove-ReleaseBackup -Path "$Destination/pg" -KeepCount 7 -MaxAge 30d -WhatIf | Format-Table | Out-Host

# Restore the newest backup into a new database (an existing one would first be backed up, then swapped).
Get-ReleaseBackup "$Destination/pg" -Latest |
    Restore-PgDatabase -Database "${Database}_copy" -Credential $PgCredential -TerminateConnections -Confirm:$false
