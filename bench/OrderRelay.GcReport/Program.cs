using OrderRelay.GcReport;

// Reads an EventPipe trace of the relay taken with the runtime's GC keyword at verbose level
// (bench/trace-shop-day.sh): what is allocated and from where, or each collection's pause.
return args switch
{
    ["allocations", var trace] => AllocationReport.Print(trace, topStacks: 25),
    ["allocations", var trace, var top] when int.TryParse(top, out var topStacks) => AllocationReport.Print(trace, topStacks),
    ["pauses", var trace] => PauseReport.Print(trace),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: OrderRelay.GcReport allocations <trace.nettrace> [top stacks] | pauses <trace.nettrace>");
    return 2;
}
