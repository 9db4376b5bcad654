// Workaround for a kafkajs 2.2.4 defect (tulios/kafkajs#1751, open): its request queue sets a timer
// with a negative delay once a broker throttle has passed, and Node 24 prints a
// TimeoutNegativeWarning each time. Node runs such a timer after 1 ms, which is what kafkajs meant,
// so only that warning from kafkajs is dropped; every other warning is printed as before.
let installed = false;

export function dropKafkajsNegativeTimeoutWarnings(): void {
  if (installed) return;
  installed = true;
  const defaultPrinters = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning' && warning.stack?.includes('kafkajs') === true)
      return;
    for (const print of defaultPrinters) print(warning);
  });
}
