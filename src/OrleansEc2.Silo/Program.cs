using OrleansEc2.Silo;

return await SiloHost.RunAsync(args);
