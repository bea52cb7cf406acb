// Placeholder entry replaced by the distributed-molecules simulation.
console.log('sim: no simulation yet');
