import { rawLimit, engineThroughput } from './src/throughput'
const n = Number(process.argv[3] ?? 50000)
if (process.argv[2] === 'raw') console.log(rawLimit(n))
else console.log(await engineThroughput(n))
