using System.Net;
using System.Net.Sockets;

namespace OrleansEc2.Testing;

/// <summary>The ports one test silo listens on (HTTP, silo-to-silo, Orleans gateway).</summary>
public sealed record SiloPorts(int Http, int Silo, int Gateway)
{
    /// <summary>
    /// Three ports free on 127.0.0.1 right now, asked of the OS together so they differ. Test projects run in
    /// parallel, so a port can still be taken before the silo binds it: starters retry on "address in use".
    /// </summary>
    public static SiloPorts Free()
    {
        var listeners = Enumerable.Range(0, 3).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
            return new SiloPorts(ports[0], ports[1], ports[2]);
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
