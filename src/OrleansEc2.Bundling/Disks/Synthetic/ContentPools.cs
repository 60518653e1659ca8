using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace OrleansEc2.Bundling.Disks.Synthetic;

/// <summary>Text made of lines, grouped in documents (a manifest, an INF, a stretch of one log).</summary>
internal sealed class TextPool
{
    public TextPool(IEnumerable<IReadOnlyList<string>> documents)
    {
        var bytes = new List<byte>();
        var lineStarts = new List<int>();
        var documentStarts = new List<int>();
        foreach (var document in documents)
        {
            documentStarts.Add(lineStarts.Count);
            foreach (var line in document)
            {
                lineStarts.Add(bytes.Count);
                bytes.AddRange(Encoding.UTF8.GetBytes(line));
                bytes.Add((byte)'\r');
                bytes.Add((byte)'\n');
            }
        }

        lineStarts.Add(bytes.Count);
        Bytes = bytes.ToArray();
        LineStarts = lineStarts.ToArray();
        DocumentStarts = documentStarts.ToArray();
    }

    public byte[] Bytes { get; }

    /// <summary>Offset of each line, and the pool's length last.</summary>
    public int[] LineStarts { get; }

    /// <summary>Index of each document's first line.</summary>
    public int[] DocumentStarts { get; }

    public int LineCount => LineStarts.Length - 1;
}

/// <summary>Binary material with the offsets where a copy may start (function starts, record starts).</summary>
internal sealed record BinaryPool(byte[] Bytes, int[] Starts);

/// <summary>
/// The raw material of synthetic disks, built once per process from a fixed seed: text that reads like CBS.log,
/// WindowsUpdate.log, WinSxS manifests, INF files, syslog and /etc files; x86 code made of real instruction
/// encodings; import tables and strings; version resources and bitmaps; registry-hive cells. Disks are cut from
/// these pools in runs chosen by the disk's own seed, so every disk differs while compressing like real files.
/// </summary>
internal static class ContentPools
{
    private static readonly Lazy<Pools> Instance = new(Build);

    public static Pools Get() => Instance.Value;

    internal sealed record Pools(
        TextPool WindowsLogs,
        TextPool Manifests,
        TextPool Inf,
        TextPool Syslog,
        TextPool LinuxConfig,
        BinaryPool Code,
        BinaryPool ReadOnlyData,
        BinaryPool Resources,
        BinaryPool HiveCells);

    internal static readonly string[] Components =
    [
        "kernel", "shell", "tcpip", "networking-core", "rpc-local", "wmi-core", "directx-direct3d", "iis-webserver",
        "printing-spooler-core", "security-kerberos", "cryptoapi", "audio-audiocore", "bits-client", "com-base",
        "dns-client", "dhcp-client", "eventlog", "ntfs", "font-truetype", "grouppolicy-base", "hal", "ie-htmlrendering",
        "installer-engine", "lsa", "mui-settings", "netbt", "perfcounters", "remotedesktop-server", "smbserver",
        "snmp-agent", "setup-component", "servicingstack", "taskscheduler-service", "themeui", "uac-consent", "usb-core",
        "vss-writers", "winhttp", "winsock-core", "winlogon", "windowsupdate-client", "xen-pvdrivers", "msxml60",
        "netfx-clr", "ole-automation", "explorer", "help-core", "mediafoundation", "adsi-client", "storage-disk",
        "time-service", "terminalservices-licensing", "webdav-redirector", "firewall-service", "ipsec-policy",
        "certificateservices-client", "schannel", "userprofileservice", "clfs", "diagnostics-perftrack",
        "errorreportingcore", "backup-engine", "search-core", "powershell-engine", "rasapi", "sxs", "user32", "gdi",
    ];

    internal static readonly string[] Stems =
    [
        "kernel32", "ntdll", "advapi32", "user32", "gdi32", "shell32", "ole32", "oleaut32", "rpcrt4", "ws2_32",
        "wininet", "urlmon", "crypt32", "secur32", "netapi32", "msvcrt", "comctl32", "comdlg32", "shlwapi", "setupapi",
        "cfgmgr32", "winhttp", "dnsapi", "iphlpapi", "mswsock", "wintrust", "imagehlp", "dbghelp", "version", "userenv",
        "winsta", "wtsapi32", "powrprof", "samlib", "msi", "mshtml", "jscript", "vbscript", "msxml6", "wbemcomn",
        "fastprox", "wmiutils", "taskschd", "schedsvc", "wevtsvc", "wevtapi", "lsasrv", "kerberos", "msv1_0", "schannel",
        "netlogon", "dhcpcsvc", "w32time", "termsrv", "rdpcorekmts", "spoolsv", "localspl", "msctf", "uxtheme",
        "dwmapi", "propsys", "sxs", "clbcatq", "comres", "es", "qmgr", "wuaueng", "wups", "cbscore", "wcp", "xpsservices",
        "d3d9", "ddraw", "dsound", "winmm", "mmdevapi", "audiosrv", "certcli", "cryptnet", "cryptsvc", "dssenh", "rsaenh",
        "bcrypt", "ncrypt", "ksecdd", "tcpip", "afd", "netbt", "ndis", "ntfs", "volsnap", "disk", "partmgr", "xenvbd",
        "xennet", "xenutil", "mountmgr", "fltmgr", "wmilib", "hal", "ntoskrnl", "win32k", "cdd", "svchost", "services",
        "lsass", "winlogon", "csrss", "smss", "explorer", "taskmgr", "mmc", "cmd", "notepad", "regedit", "msiexec",
        "rundll32", "dllhost", "wmiprvse", "spoolss", "ec2config", "ec2configmonitor", "ec2wallpaperinfo",
    ];

    internal static readonly string[] Words =
    [
        "service", "driver", "network", "adapter", "security", "update", "package", "component", "install", "registry",
        "provider", "session", "transaction", "policy", "device", "manager", "client", "server", "default", "system",
        "windows", "microsoft", "version", "file", "folder", "profile", "account", "password", "domain", "certificate",
        "store", "cache", "download", "event", "error", "warning", "information", "status", "configuration", "setting",
    ];

    private static Pools Build()
    {
        var random = new SeededRandom(0x0EC2_2008_1002UL);
        return new Pools(
            WindowsLogs(ref random),
            Manifests(ref random),
            Inf(ref random),
            Syslog(ref random),
            LinuxConfig(ref random),
            Code(ref random),
            ReadOnlyData(ref random),
            Resources(ref random),
            HiveCells(ref random));
    }

    private static string Hex(ref SeededRandom random, int digits)
    {
        var chars = new char[digits];
        for (var i = 0; i < digits; i++)
        {
            chars[i] = "0123456789abcdef"[random.Next(16)];
        }

        return new string(chars);
    }

    private static string Guid(ref SeededRandom random) =>
        $"{Hex(ref random, 8)}-{Hex(ref random, 4)}-{Hex(ref random, 4)}-{Hex(ref random, 4)}-{Hex(ref random, 12)}";

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Picks an index with a Zipf-like skew: the first items far more often than the last, as in real logs.</summary>
    private static int Skewed(ref SeededRandom random, int count) => random.Next(random.Next(count) + 1);

    private static TextPool WindowsLogs(ref SeededRandom random)
    {
        var documents = new List<IReadOnlyList<string>>();
        var time = new DateTime(2008, 10, 2, 9, 31, 44, DateTimeKind.Utc);
        var kbs = new int[40];
        for (var i = 0; i < kbs.Length; i++)
        {
            kbs[i] = 950000 + random.Next(9000);
        }

        var hex8 = new string[24];
        for (var i = 0; i < hex8.Length; i++)
        {
            hex8[i] = "0000" + Hex(ref random, 4);
        }

        for (var d = 0; d < 60; d++)
        {
            var lines = new List<string>();
            var style = d % 3;
            var session = Invariant($"{29970000 + random.Next(9999)}_{random.Next(1000000, 9999999)}");
            for (var i = 0; i < 120; i++)
            {
                time = time.AddMilliseconds(random.Next(random.Chance(10) ? 90000 : 900));
                var date = time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                var clock = time.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
                var kb = kbs[Skewed(ref random, kbs.Length)];
                var comp = Components[Skewed(ref random, Components.Length)];
                var h = hex8[Skewed(ref random, hex8.Length)];
                var build = 18000 + random.Next(3) * 145 + random.Next(40);
                lines.Add(style switch
                {
                    0 => (Skewed(ref random, 12)) switch
                    {
                        0 => Invariant($"{date} {clock}, Info                  CBS    Read out cached package applicability for package: Package_for_KB{kb}~31bf3856ad364e35~x86~~6.0.1.{random.Next(1, 9)}, ApplicableState: 112, CurrentState:112"),
                        1 => Invariant($"{date} {clock}, Info                  CSI    {h}@{time:yyyy/M/d}:{clock}.{random.Next(100, 999)} CSI Transaction @0x{Hex(ref random, 7)} initialized for deployment engine {{{Guid(ref random)}}} with flags 00000002 and context 00000000"),
                        2 => Invariant($"{date} {clock}, Info                  CBS    Session: {session} initialized by client WindowsUpdateAgent."),
                        3 => Invariant($"{date} {clock}, Info                  CBS    Pkg: Package_for_KB{kb}: Exec: Processing started.  Client: WindowsUpdateAgent, Session: {session}, Package: Package_for_KB{kb}~31bf3856ad364e35~x86~~6.0.1.{random.Next(1, 9)}"),
                        4 => Invariant($"{date} {clock}, Info                  CSI    {h} Creating NT transaction (seq {random.Next(1, 400)}), objectname [6]\"(null)\""),
                        5 => Invariant($"{date} {clock}, Info                  CSI    {h} Created NT transaction (seq {random.Next(1, 400)}) result 0x00000000, handle @0x{Hex(ref random, 3)}"),
                        6 => Invariant($"{date} {clock}, Info                  CBS    Appl: detect Parent, Package: Microsoft-Windows-{comp}-Package~31bf3856ad364e35~x86~~6.0.6001.{build}, Parent: Microsoft-Windows-Foundation-Package~31bf3856ad364e35~x86~~6.0.6001.18000, Disposition = Detect, VersionComp: EQ, ServiceComp: GE, BuildComp: GE, DistributionComp: GE, RevisionComp: GE, Exist: present"),
                        7 => Invariant($"{date} {clock}, Info                  CBS    Loaded Servicing Stack v6.0.6001.{build} with Core: C:\\Windows\\winsxs\\x86_microsoft-windows-servicingstack_31bf3856ad364e35_6.0.6001.{build}_none_{Hex(ref random, 16)}\\cbscore.dll"),
                        8 => Invariant($"{date} {clock}, Info                  CBS    Failed to get session package state [HRESULT = 0x800f0805 - CBS_E_INVALID_PACKAGE]"),
                        9 => Invariant($"{date} {clock}, Info                  CSI    {h} [SR] Verify complete"),
                        10 => Invariant($"{date} {clock}, Info                  CBS    Plan: Package: Package_for_KB{kb}~31bf3856ad364e35~x86~~6.0.1.{random.Next(1, 9)}, Update: {random.Next(900000, 999999)}_{Hex(ref random, 4)}, InstallDeployment: x86_microsoft-windows-{comp}_31bf3856ad364e35_6.0.6001.{build}_none_{Hex(ref random, 16)}"),
                        _ => Invariant($"{date} {clock}, Info                  CBS    Exec: Processing complete.  Session: {session}, Package: Package_for_KB{kb}~31bf3856ad364e35~x86~~6.0.1.{random.Next(1, 9)} [HRESULT = 0x00000000 - S_OK]"),
                    },
                    1 => (Skewed(ref random, 10)) switch
                    {
                        0 => Invariant($"{date}\t{clock}:{random.Next(100, 999)}\t 996\t {Hex(ref random, 3)}\tAgent\t  * Found {random.Next(0, 40)} updates and {random.Next(40, 80)} categories in search; evaluated appl. rules of {random.Next(400, 900)} out of {random.Next(900, 1600)} deployed entities"),
                        1 => Invariant($"{date}\t{clock}:{random.Next(100, 999)}\t 996\t {Hex(ref random, 3)}\tAgent\t*************"),
                        2 => Invariant($"{date}\t{clock}:{random.Next(100, 999)}\t 996\t {Hex(ref random, 3)}\tAgent\t** START **  Agent: Finding updates [CallerId = AutomaticUpdates]"),
                        3 => Invariant($"{date}\t{clock}:{random.Next(100, 999)}\t 996\t {Hex(ref random, 3)}\tPT\t  + ServiceId = {{{Guid(ref random).ToUpperInvariant()}}}, Server URL = http://update.microsoft.com/v6/ClientWebService/client.asmx"),
                        4 => Invariant($"{date}\t{clock}:{random.Next(100, 999)}\t 996\t {Hex(ref random, 3)}\tAU\t#  {random.Next(0, 12)} updates detected"),
                        5 => Invariant($"{date}\t{clock}:{random.Next(100, 999)}\t 996\t {Hex(ref random, 3)}\tDnldMgr\t  * BITS job initialized, JobId = {{{Guid(ref random).ToUpperInvariant()}}}"),
                        6 => Invariant($"{date}\t{clock}:{random.Next(100, 999)}\t 996\t {Hex(ref random, 3)}\tDnldMgr\t  * Downloading from http://download.windowsupdate.com/msdownload/update/software/secu/2008/10/windows6.0-kb{kb}-x86_{Hex(ref random, 40)}.psf to C:\\Windows\\SoftwareDistribution\\Download\\{Hex(ref random, 32)}\\{Hex(ref random, 40)} (full file)."),
                        7 => Invariant($"{date}\t{clock}:{random.Next(100, 999)}\t 996\t {Hex(ref random, 3)}\tAgent\t  * Online = Yes; Ignore download priority = No"),
                        8 => Invariant($"{date}\t{clock}:{random.Next(100, 999)}\t 996\t {Hex(ref random, 3)}\tReport\tREPORT EVENT: {{{Guid(ref random).ToUpperInvariant()}}}\t{date} {clock}:{random.Next(100, 999)}+0000\t1\t{random.Next(140, 200)}\t101\t{{{Guid(ref random).ToUpperInvariant()}}}\t{random.Next(100, 300)}\t0\tAutomaticUpdates\tSuccess\tContent Install\tInstallation Successful: Windows successfully installed the following update: Security Update for Windows Server 2008 (KB{kb})"),
                        _ => Invariant($"{date}\t{clock}:{random.Next(100, 999)}\t 996\t {Hex(ref random, 3)}\tAU\t  # Approved updates = {random.Next(0, 12)}"),
                    },
                    _ => (Skewed(ref random, 8)) switch
                    {
                        0 => Invariant($"{date} {clock}: Ec2HandleUserData: Message: Start running user scripts"),
                        1 => Invariant($"{date} {clock}: Ec2SetPassword: Message: Setting the password for Administrator"),
                        2 => Invariant($"{date} {clock}: Ec2WindowsActivate: Message: Windows activation is running"),
                        3 => Invariant($"{date} {clock}: Ec2InitializeDrives: Message: Initializing drives {random.Next(1, 4)} of {random.Next(4, 8)}"),
                        4 => Invariant($"     sto: {{Setup Import: {comp}}} {date} {clock}.{random.Next(100, 999)}"),
                        5 => Invariant($"     dvi:      Driver package: C:\\Windows\\System32\\DriverStore\\FileRepository\\{Stems[random.Next(Stems.Length)]}.inf_{Hex(ref random, 8)}\\{Stems[random.Next(Stems.Length)]}.inf"),
                        6 => Invariant($">>>  [Device Install (Hardware initiated) - ROOT\\LEGACY_{comp.ToUpperInvariant()}\\000{random.Next(10)}]"),
                        _ => Invariant($"<<<  Section end {date} {clock}.{random.Next(100, 999)}"),
                    },
                });
            }

            documents.Add(lines);
        }

        return new TextPool(documents);
    }

    private static TextPool Manifests(ref SeededRandom random)
    {
        var documents = new List<IReadOnlyList<string>>();
        for (var d = 0; d < 220; d++)
        {
            var comp = Components[random.Next(Components.Length)];
            var build = 18000 + random.Next(3) * 145 + random.Next(40);
            var lines = new List<string>
            {
                "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>",
                "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v3\" manifestVersion=\"1.0\" copyright=\"Copyright (c) Microsoft Corporation. All Rights Reserved.\">",
                Invariant($"  <assemblyIdentity name=\"Microsoft-Windows-{comp}\" version=\"6.0.6001.{build}\" processorArchitecture=\"x86\" language=\"neutral\" buildType=\"release\" publicKeyToken=\"31bf3856ad364e35\" versionScope=\"nonSxS\" />"),
                "  <dependency discoverable=\"no\" resourceType=\"Resources\">",
                "    <dependentAssembly>",
                Invariant($"      <assemblyIdentity name=\"Microsoft-Windows-{comp}.Resources\" version=\"6.0.6001.{build}\" processorArchitecture=\"x86\" language=\"*\" buildType=\"release\" publicKeyToken=\"31bf3856ad364e35\" />"),
                "    </dependentAssembly>",
                "  </dependency>",
            };
            for (var f = random.Next(1, 5); f > 0; f--)
            {
                var stem = Stems[random.Next(Stems.Length)];
                var digest = Convert.ToBase64String(BitConverter.GetBytes(random.NextUInt64()).Concat(BitConverter.GetBytes(random.NextUInt64())).Concat(BitConverter.GetBytes(random.NextUInt64())).Take(20).ToArray());
                lines.Add(Invariant($"  <file name=\"{stem}.dll\" destinationPath=\"$(runtime.system32)\\\" sourceName=\"{stem}.dll\" importPath=\"$(build.nttree)\\\" sourcePath=\".\\\">"));
                lines.Add("    <securityDescriptor name=\"WRP_FILE_DEFAULT_SDDL\" />");
                lines.Add("    <asmv2:hash xmlns:asmv2=\"urn:schemas-microsoft-com:asm.v2\" xmlns:dsig=\"http://www.w3.org/2000/09/xmldsig#\">");
                lines.Add("      <dsig:Transforms>");
                lines.Add("        <dsig:Transform Algorithm=\"urn:schemas-microsoft-com:HashTransforms.Identity\" />");
                lines.Add("      </dsig:Transforms>");
                lines.Add("      <dsig:DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\" />");
                lines.Add(Invariant($"      <dsig:DigestValue>{digest}</dsig:DigestValue>"));
                lines.Add("    </asmv2:hash>");
                lines.Add("  </file>");
            }

            for (var k = random.Next(0, 4); k > 0; k--)
            {
                var service = Stems[random.Next(Stems.Length)];
                lines.Add(Invariant($"  <registryKeys>"));
                lines.Add(Invariant($"    <registryKey keyName=\"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\{service}\">"));
                lines.Add(Invariant($"      <registryValue name=\"Start\" valueType=\"REG_DWORD\" value=\"0x0000000{random.Next(5)}\" />"));
                lines.Add(Invariant($"      <registryValue name=\"Type\" valueType=\"REG_DWORD\" value=\"0x000000{random.Next(10, 40)}\" />"));
                lines.Add(Invariant($"      <registryValue name=\"ImagePath\" valueType=\"REG_EXPAND_SZ\" value=\"%SystemRoot%\\system32\\svchost.exe -k {Words[random.Next(Words.Length)]}\" />"));
                lines.Add(Invariant($"      <registryValue name=\"DisplayName\" valueType=\"REG_SZ\" value=\"@%SystemRoot%\\system32\\{service}.dll,-{random.Next(100, 9999)}\" />"));
                lines.Add("      <securityDescriptor name=\"WRP_REGKEY_DEFAULT_SDDL\" />");
                lines.Add("    </registryKey>");
                lines.Add("  </registryKeys>");
            }

            lines.Add("  <trustInfo>");
            lines.Add("    <security>");
            lines.Add("      <accessControl>");
            lines.Add("        <securityDescriptorDefinitions>");
            lines.Add("          <securityDescriptorDefinition name=\"WRP_FILE_DEFAULT_SDDL\" sddl=\"O:S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464G:S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464D:P(A;;FA;;;S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464)(A;;GRGX;;;BA)(A;;GRGX;;;SY)(A;;GRGX;;;BU)S:(AU;FASA;0x000D0116;;;WD)\" operationHint=\"replace\" />");
            lines.Add("        </securityDescriptorDefinitions>");
            lines.Add("      </accessControl>");
            lines.Add("    </security>");
            lines.Add("  </trustInfo>");
            lines.Add("</assembly>");
            documents.Add(lines);
        }

        return new TextPool(documents);
    }

    private static TextPool Inf(ref SeededRandom random)
    {
        var documents = new List<IReadOnlyList<string>>();
        string[] classes = ["Net", "System", "HDC", "SCSIAdapter", "Display", "Keyboard", "Mouse", "Ports", "Printer", "USB"];
        for (var d = 0; d < 140; d++)
        {
            var stem = Stems[random.Next(Stems.Length)];
            var cls = classes[random.Next(classes.Length)];
            var vendor = random.Next(0x1000, 0x9000);
            var lines = new List<string>
            {
                Invariant($"; {stem}.inf"),
                "; Copyright (c) Microsoft Corporation.  All rights reserved.",
                "",
                "[Version]",
                "Signature=\"$Windows NT$\"",
                Invariant($"Class={cls}"),
                Invariant($"ClassGUID={{{Guid(ref random)}}}"),
                "Provider=%Msft%",
                Invariant($"DriverVer=06/21/2006,6.0.6001.{18000 + random.Next(300)}"),
                "",
                "[Manufacturer]",
                "%Msft%=Microsoft,NTx86",
                "",
                "[Microsoft.NTx86]",
            };
            var devices = random.Next(3, 25);
            for (var i = 0; i < devices; i++)
            {
                lines.Add(Invariant($"%{stem}.DeviceDesc{i}% = {stem}.ndi, PCI\\VEN_{vendor:X4}&DEV_{random.Next(0x1000, 0xFFFF):X4}&SUBSYS_{Hex(ref random, 8).ToUpperInvariant()}"));
            }

            lines.Add("");
            lines.Add(Invariant($"[{stem}.ndi.NT]"));
            lines.Add(Invariant($"AddReg          = {stem}.reg, {stem}.params.reg"));
            lines.Add(Invariant($"CopyFiles       = {stem}.CopyFiles"));
            lines.Add("Characteristics = 0x84 ; NCF_HAS_UI | NCF_PHYSICAL");
            lines.Add("BusType         = 5");
            lines.Add("");
            lines.Add(Invariant($"[{stem}.params.reg]"));
            for (var i = random.Next(4, 20); i > 0; i--)
            {
                var word = Words[random.Next(Words.Length)];
                lines.Add(Invariant($"HKR, Ndi\\params\\{word}{i},    ParamDesc,  0, %{word}%"));
                lines.Add(Invariant($"HKR, Ndi\\params\\{word}{i},    default,    0, \"{random.Next(0, 2)}\""));
                lines.Add(Invariant($"HKR, Ndi\\params\\{word}{i},    type,       0, \"enum\""));
            }

            lines.Add("");
            lines.Add("[Strings]");
            lines.Add("Msft = \"Microsoft\"");
            for (var i = 0; i < devices; i++)
            {
                lines.Add(Invariant($"{stem}.DeviceDesc{i} = \"{Words[random.Next(Words.Length)]} {Words[random.Next(Words.Length)]} {cls} Adapter #{i}\""));
            }

            documents.Add(lines);
        }

        return new TextPool(documents);
    }

    private static TextPool Syslog(ref SeededRandom random)
    {
        var documents = new List<IReadOnlyList<string>>();
        var time = new DateTime(2008, 10, 2, 9, 31, 44, DateTimeKind.Utc);
        string[] daemons = ["kernel", "sshd", "crond", "syslogd 1.4.2", "dhclient", "ntpd", "yum", "httpd", "init", "automount"];
        for (var d = 0; d < 50; d++)
        {
            var lines = new List<string>();
            var host = Invariant($"domU-12-31-39-0{random.Next(10)}-{Hex(ref random, 2).ToUpperInvariant()}-{Hex(ref random, 2).ToUpperInvariant()}");
            for (var i = 0; i < 120; i++)
            {
                time = time.AddSeconds(random.Next(random.Chance(10) ? 3600 : 30));
                var stamp = time.ToString("MMM d HH:mm:ss", CultureInfo.InvariantCulture);
                var daemon = daemons[Skewed(ref random, daemons.Length)];
                var pid = random.Next(300, 32000);
                lines.Add(Skewed(ref random, 9) switch
                {
                    0 => Invariant($"{stamp} {host} {daemon}[{pid}]: Accepted publickey for root from 10.{random.Next(256)}.{random.Next(256)}.{random.Next(256)} port {random.Next(1024, 65535)} ssh2"),
                    1 => Invariant($"{stamp} {host} crond[{pid}]: (root) CMD (run-parts /etc/cron.hourly)"),
                    2 => Invariant($"{stamp} {host} dhclient: DHCPREQUEST on eth0 to 255.255.255.255 port 67"),
                    3 => Invariant($"{stamp} {host} dhclient: bound to 10.{random.Next(256)}.{random.Next(256)}.{random.Next(256)} -- renewal in {random.Next(100, 900)} seconds."),
                    4 => Invariant($"{stamp} {host} kernel: blkfront: sda{random.Next(1, 3)}: barriers enabled"),
                    5 => Invariant($"{stamp} {host} ntpd[{pid}]: synchronized to 10.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}, stratum 2"),
                    6 => Invariant($"{stamp} {host} yum: Updated: {Stems[random.Next(Stems.Length)]}-{random.Next(1, 5)}.{random.Next(0, 20)}.{random.Next(0, 9)}-{random.Next(1, 30)}.fc8.i386"),
                    7 => Invariant($"{stamp} {host} kernel: XENBUS: Device with no driver: device/console/0"),
                    _ => Invariant($"{stamp} {host} sshd[{pid}]: pam_unix(sshd:session): session opened for user root by (uid=0)"),
                });
            }

            documents.Add(lines);
        }

        return new TextPool(documents);
    }

    private static TextPool LinuxConfig(ref SeededRandom random)
    {
        var documents = new List<IReadOnlyList<string>>();
        for (var d = 0; d < 120; d++)
        {
            var stem = Stems[random.Next(Stems.Length)];
            var lines = new List<string>
            {
                Invariant($"# /etc/{stem}.conf"),
                Invariant($"# Configuration file for {stem}. See {stem}.conf(5) for details."),
                "#",
            };
            for (var s = random.Next(1, 5); s > 0; s--)
            {
                lines.Add(Invariant($"[{Words[random.Next(Words.Length)]}]"));
                for (var i = random.Next(3, 18); i > 0; i--)
                {
                    var word = Words[random.Next(Words.Length)];
                    lines.Add(random.Chance(30)
                        ? Invariant($"# {word} {Words[random.Next(Words.Length)]} is set to {random.Next(0, 600)} by default")
                        : Invariant($"{word}_{Words[random.Next(Words.Length)]} = {(random.Chance(50) ? random.Next(0, 65536).ToString(CultureInfo.InvariantCulture) : "/var/lib/" + stem)}"));
                }

                lines.Add("");
            }

            documents.Add(lines);
        }

        return new TextPool(documents);
    }

    /// <summary>x86 functions: prologue, body of common instruction encodings, epilogue, int3 padding.</summary>
    private static BinaryPool Code(ref SeededRandom random)
    {
        var code = new List<byte>(320 * 1024);
        var starts = new List<int>();
        var imports = Enumerable.Range(0, 64).Select(i => 0x7C801000u + (uint)i * 4).ToArray();
        while (code.Count < 256 * 1024)
        {
            starts.Add(code.Count);
            code.AddRange(random.Chance(50) ? [0x8B, 0xFF, 0x55, 0x8B, 0xEC] : [0x55, 0x8B, 0xEC]);
            if (random.Chance(70))
            {
                code.AddRange([0x83, 0xEC, (byte)(4 * random.Next(1, 32))]);
            }

            code.AddRange(random.Chance(50) ? [0x53, 0x56, 0x57] : [0x56]);
            for (var n = random.Next(8, 90); n > 0; n--)
            {
                var disp = (byte)(random.Chance(60) ? 0x100 - 4 * random.Next(1, 16) : 4 * random.Next(2, 8));
                switch (Skewed(ref random, 16))
                {
                    case 0: code.AddRange([0x8B, 0x45, disp]); break;
                    case 1: code.AddRange([0x89, 0x45, disp]); break;
                    case 2: code.AddRange([0xFF, 0x75, disp]); break;
                    case 3:
                        var rel = -random.Next(0x40, 0x8000);
                        code.Add(0xE8);
                        code.AddRange(BitConverter.GetBytes(rel));
                        break;
                    case 4: code.AddRange([0x85, 0xC0]); break;
                    case 5: code.AddRange([random.Chance(50) ? (byte)0x74 : (byte)0x75, (byte)random.Next(2, 0x40)]); break;
                    case 6:
                        code.AddRange([0xFF, 0x15]);
                        code.AddRange(BitConverter.GetBytes(imports[Skewed(ref random, imports.Length)]));
                        break;
                    case 7: code.AddRange([0x6A, (byte)random.Next(0, 16)]); break;
                    case 8: code.AddRange([0x33, 0xC0]); break;
                    case 9: code.AddRange([0x8D, 0x45, disp]); break;
                    case 10: code.AddRange([0x83, 0xF8, (byte)random.Next(0, 8)]); break;
                    case 11: code.AddRange([0x8B, 0x4D, disp]); break;
                    case 12:
                        code.Add(0x68);
                        code.AddRange(BitConverter.GetBytes(0x01001000u + (uint)random.Next(0x20000) * 4));
                        break;
                    case 13: code.Add((byte)(0x50 + random.Next(8))); break;
                    case 14: code.AddRange([0x0F, 0x84]); code.AddRange(BitConverter.GetBytes(random.Next(0x10, 0x2000))); break;
                    default: code.AddRange([0x8B, (byte)(0xC0 + random.Next(64))]); break;
                }
            }

            code.AddRange(random.Chance(50) ? [0x5F, 0x5E, 0x5B] : [0x5E]);
            code.AddRange(random.Chance(60) ? [0xC9, 0xC2, (byte)(4 * random.Next(1, 6)), 0x00] : [0x5D, 0xC3]);
            for (var pad = random.Next(0, 16) % 5; pad > 0; pad--)
            {
                code.Add(random.Chance(70) ? (byte)0xCC : (byte)0x90);
            }
        }

        return new BinaryPool(code.ToArray(), starts.ToArray());
    }

    /// <summary>Import thunks, hint/name tables, ASCII and UTF-16 strings, GUIDs.</summary>
    private static BinaryPool ReadOnlyData(ref SeededRandom random)
    {
        string[] apis =
        [
            "GetProcAddress", "LoadLibraryExW", "GetModuleHandleW", "HeapAlloc", "HeapFree", "GetLastError", "SetLastError",
            "CreateFileW", "ReadFile", "WriteFile", "CloseHandle", "RegOpenKeyExW", "RegQueryValueExW", "RegCloseKey",
            "InitializeCriticalSection", "EnterCriticalSection", "LeaveCriticalSection", "WaitForSingleObject",
            "CreateEventW", "SetEvent", "GetTickCount", "QueryPerformanceCounter", "GetCurrentProcessId",
            "GetCurrentThreadId", "GetSystemTimeAsFileTime", "LocalFree", "LocalAlloc", "lstrlenW", "wcscpy_s",
            "memcpy", "memset", "_vsnwprintf", "RtlInitUnicodeString", "NtQueryInformationProcess", "CoCreateInstance",
            "CoInitializeEx", "SysAllocString", "SysFreeString", "VariantClear", "RpcStringBindingComposeW",
        ];
        var data = new List<byte>(160 * 1024);
        var starts = new List<int>();
        while (data.Count < 128 * 1024)
        {
            starts.Add(data.Count);
            switch (random.Next(4))
            {
                case 0:
                    var thunk = 0x0001A000u + (uint)random.Next(0x1000) * 2;
                    for (var i = random.Next(8, 40); i > 0; i--)
                    {
                        data.AddRange(BitConverter.GetBytes(thunk));
                        thunk += (uint)random.Next(12, 32);
                    }

                    data.AddRange(new byte[4]);
                    break;
                case 1:
                    for (var i = random.Next(8, 40); i > 0; i--)
                    {
                        data.AddRange(BitConverter.GetBytes((ushort)random.Next(0, 1200)));
                        data.AddRange(Encoding.ASCII.GetBytes(apis[Skewed(ref random, apis.Length)]));
                        data.Add(0);
                        if (data.Count % 2 != 0)
                        {
                            data.Add(0);
                        }
                    }

                    break;
                case 2:
                    for (var i = random.Next(4, 20); i > 0; i--)
                    {
                        var text = Invariant($"{Words[random.Next(Words.Length)]}\\{Words[random.Next(Words.Length)]} %s ({Stems[random.Next(Stems.Length)]}) failed with 0x%08x");
                        data.AddRange(random.Chance(50) ? Encoding.Unicode.GetBytes(text) : Encoding.ASCII.GetBytes(text));
                        data.AddRange([0, 0]);
                    }

                    break;
                default:
                    for (var i = random.Next(2, 12); i > 0; i--)
                    {
                        data.AddRange(BitConverter.GetBytes(random.NextUInt64()));
                        data.AddRange(BitConverter.GetBytes(random.NextUInt64()));
                    }

                    break;
            }
        }

        return new BinaryPool(data.ToArray(), starts.ToArray());
    }

    /// <summary>VS_VERSIONINFO blocks, string tables, dialog templates, bitmap rows.</summary>
    private static BinaryPool Resources(ref SeededRandom random)
    {
        var data = new List<byte>(160 * 1024);
        var starts = new List<int>();
        while (data.Count < 128 * 1024)
        {
            starts.Add(data.Count);
            if (random.Chance(50))
            {
                var stem = Stems[random.Next(Stems.Length)];
                var version = Invariant($"6.0.6001.{18000 + random.Next(300)}");
                string[] pairs =
                [
                    "CompanyName", "Microsoft Corporation", "FileDescription", Invariant($"{Words[random.Next(Words.Length)]} {Words[random.Next(Words.Length)]} library"),
                    "FileVersion", Invariant($"{version} (longhorn_rtm.080118-1840)"), "InternalName", stem,
                    "LegalCopyright", "\u00a9 Microsoft Corporation. All rights reserved.", "OriginalFilename", stem + ".dll",
                    "ProductName", "Microsoft\u00ae Windows\u00ae Operating System", "ProductVersion", version,
                ];
                data.AddRange(Encoding.Unicode.GetBytes("VS_VERSION_INFO\0"));
                data.AddRange([0xBD, 0x04, 0xEF, 0xFE, 0x00, 0x00, 0x01, 0x00]);
                foreach (var text in pairs)
                {
                    data.AddRange(BitConverter.GetBytes((ushort)(text.Length * 2 + 6)));
                    data.AddRange([0x00, 0x00, 0x01, 0x00]);
                    data.AddRange(Encoding.Unicode.GetBytes(text + "\0"));
                }
            }
            else
            {
                // A 32-bpp bitmap row run: a few colours repeated, as in toolbar images and icons.
                var colours = new uint[random.Next(2, 6)];
                for (var i = 0; i < colours.Length; i++)
                {
                    colours[i] = (uint)random.NextUInt64() | 0xFF000000u;
                }

                for (var px = random.Next(64, 600); px > 0;)
                {
                    var run = random.Next(1, 24);
                    var colour = colours[random.Next(colours.Length)];
                    for (var i = 0; i < run && px > 0; i++, px--)
                    {
                        data.AddRange(BitConverter.GetBytes(colour));
                    }
                }
            }
        }

        return new BinaryPool(data.ToArray(), starts.ToArray());
    }

    /// <summary>Registry cells: key nodes with ASCII names, values with UTF-16 data, as a hive holds them.</summary>
    private static BinaryPool HiveCells(ref SeededRandom random)
    {
        var data = new List<byte>(160 * 1024);
        var starts = new List<int>();
        while (data.Count < 128 * 1024)
        {
            starts.Add(data.Count);
            var name = Invariant($"{Words[random.Next(Words.Length)]}{(random.Chance(50) ? Stems[random.Next(Stems.Length)] : "")}");
            byte[] cell;
            if (random.Chance(40))
            {
                cell = new byte[80 + name.Length + 7 & ~7];
                BinaryPrimitives.WriteInt32LittleEndian(cell, -cell.Length);
                cell[4] = (byte)'n';
                cell[5] = (byte)'k';
                cell[6] = 0x20;
                BinaryPrimitives.WriteInt64LittleEndian(cell.AsSpan(8), 0x01C9247A00000000L + random.Next(0x7FFFFFFF));
                BinaryPrimitives.WriteInt32LittleEndian(cell.AsSpan(20), random.Next(0x20, 0x100000) & ~7);
                BinaryPrimitives.WriteInt32LittleEndian(cell.AsSpan(24), random.Next(0, 12));
                BinaryPrimitives.WriteUInt16LittleEndian(cell.AsSpan(76), (ushort)name.Length);
                Encoding.ASCII.GetBytes(name, cell.AsSpan(80));
            }
            else
            {
                var value = random.Chance(50)
                    ? Invariant($"%SystemRoot%\\system32\\{Stems[random.Next(Stems.Length)]}.dll")
                    : Invariant($"@%SystemRoot%\\system32\\{Stems[random.Next(Stems.Length)]}.dll,-{random.Next(100, 9999)}");
                var bytes = Encoding.Unicode.GetBytes(value + "\0");
                cell = new byte[24 + name.Length + bytes.Length + 7 & ~7];
                BinaryPrimitives.WriteInt32LittleEndian(cell, -cell.Length);
                cell[4] = (byte)'v';
                cell[5] = (byte)'k';
                BinaryPrimitives.WriteUInt16LittleEndian(cell.AsSpan(6), (ushort)name.Length);
                BinaryPrimitives.WriteInt32LittleEndian(cell.AsSpan(8), bytes.Length);
                BinaryPrimitives.WriteInt32LittleEndian(cell.AsSpan(16), random.Chance(70) ? 1 : 2);
                Encoding.ASCII.GetBytes(name, cell.AsSpan(24));
                bytes.CopyTo(cell.AsSpan(24 + name.Length));
            }

            data.AddRange(cell);
        }

        return new BinaryPool(data.ToArray(), starts.ToArray());
    }
}
