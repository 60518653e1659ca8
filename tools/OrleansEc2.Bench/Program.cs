// Placeholder until the benchmark work lands.
Console.WriteLine("bench");
