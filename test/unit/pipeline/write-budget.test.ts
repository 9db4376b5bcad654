import { expect } from 'chai';
import { WriteBudget } from '../../../src/pipeline/write-budget.ts';

describe('WriteBudget', () => {
  it('stops a batch once its writes are spent and something is settled', () => {
    const budget = new WriteBudget(3);
    let writes = 0;
    while (budget.allows()) {
      budget.spend();
      budget.settled();
      writes += 1;
    }
    expect(writes).to.equal(3);
  });

  it('lets writes go on past the budget until the first message is settled', () => {
    const budget = new WriteBudget(1);
    for (let write = 0; write < 12; write += 1) {
      expect(budget.allows(), `write ${write + 1}, nothing settled yet`).to.equal(true);
      budget.spend();
    }
    budget.settled();
    expect(budget.allows()).to.equal(false);
  });

  it('has no bound by default', () => {
    const budget = new WriteBudget();
    for (let write = 0; write < 10_000; write += 1) {
      budget.spend();
      budget.settled();
    }
    expect(budget.allows()).to.equal(true);
  });
});
