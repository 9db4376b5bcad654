// `npm run db:rows` as the README's step 4 shows it: a table a person reads, with empty cells
// where the event carried nothing, schema_version, and no wider than 120 columns.
import { expect } from 'chai';
import { runNpmScript } from '../../support/run-npm-script.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.ts';
import { testServices } from '../../support/services.ts';

const stored = {
  event_type: 'product.purchased',
  timestamp: new Date('2025-10-08T15:30:22.456Z'),
  user_id: 'user_12345',
  product_id: 'prod_bk1984',
  product_name: 'Nineteen Eighty-Four (paperback)',
  price: '9.99',
  currency: 'USD',
  quantity: 2,
};

describe('npm run db:rows', function () {
  this.timeout(60_000);
  let scratch: ScratchDatabase;

  before(async () => {
    scratch = await createScratchDatabase((await testServices()).databaseUrl);
    await scratch.db.migrate.latest();
    await scratch.db('product_events').insert([
      { ...stored, event_id: 'evt_00000000000000a1' },
      {
        ...stored,
        event_id: 'evt_00000000000000a2',
        discount_code: 'BLACKFRIDAY',
        discount_amount: '20.00',
        tax_amount: '10.99',
        schema_version: 2,
      },
    ]);
    await scratch.db('shipping_addresses').insert({
      event_id: 'evt_00000000000000a2',
      street: '10 Downing Street',
      city: 'London',
      country: 'United Kingdom',
    });
  });
  after(async () => {
    await scratch.drop();
  });

  it('prints a readable table: empty cells, schema_version, plain ids, at most 120 columns', async () => {
    const { code, output } = await runNpmScript('db:rows', { DATABASE_URL: scratch.url });
    expect(code, output).to.equal(0);
    const lines = output.trimEnd().split('\n');
    expect(lines[0]?.split(/\s+/)).to.deep.equal([
      'id',
      'event_id',
      'product',
      'price',
      'qty',
      'discount',
      'tax',
      'schema_version',
      'ship_to',
    ]);
    expect(lines[2]).to.match(/^ *\d+ {2}evt_00000000000000a1 {2}Nineteen .*9\.99 USD {4}2$/);
    expect(lines[3]).to.match(
      /evt_00000000000000a2 .* BLACKFRIDAY 20\.00 {2}10\.99 {15}2 {2}London, U/,
    );
    expect(lines.at(-1)).to.equal('2 of 2 rows in product_events');
    expect(output).to.not.match(/null|\(index\)|'/);
    for (const line of lines) expect(line.length, line).to.be.at.most(120);
  });
});
