// Placeholder until the hosting work lands.
Console.WriteLine("OrleansEc2 silo");
