# Back up a PostgreSQL database and a Redis server, prove both backups by restoring them,
# apply retention, and restore the newest verified PostgreSQL backup into a copy.
# Needs: Import-Module ./ReleaseOps.psd1, pg_dump/pg_restore and redis-server on PATH.
param(
    [string] $Database = 'shop',
    [string] $PgServer = '127.0.0.1',
    [string] $RedisServer = '127.0.0.1',
    [string] $Destination = './backups',
    [string] $Release = 'v1.0.0'
)

$pg = Get-Credential -Message 'PostgreSQL user and password'
$redis = Get-Credential -UserName default -Message 'Redis password (user "default", or an ACL user)'

# Backup, then the dbatools-style test-restore: checksum, pg_restore --list, scratch restore, row counts.
Backup-PgDatabase -Database $Database -Server $PgServer -Credential $pg -Destination "$Destination/pg" -Release $Release -TableChecksum |
    Test-PgBackup -Credential $pg

Backup-RedisData -Server $RedisServer -Credential $redis -Destination "$Destination/redis" -Release $Release |
    Test-RedisBackup

# What is there, and what retention would remove (the newest verified backup is always kept).
Get-ReleaseBackup "$Destination/pg" | Format-Table
Remove-ReleaseBackup -Path "$Destination/pg" -KeepCount 7 -MaxAge 30.00:00:00 -WhatIf

# Restore the newest backup into a new database (an existing one would first be backed up, then swapped).
Get-ReleaseBackup "$Destination/pg" -Latest |
    Restore-PgDatabase -Database "${Database}_copy" -Credential $pg -Confirm:$false
