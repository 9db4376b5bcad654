import { expect } from 'chai';
import { formatTable, type TableColumn } from '../../../stack/postgres/text-table.ts';

const columns: TableColumn[] = [
  { header: 'id', align: 'right' },
  { header: 'event_id' },
  { header: 'product', shrinkable: true },
  { header: 'tax', align: 'right' },
];

describe('formatTable', () => {
  it('pads columns to their content, right-aligns numbers and leaves missing values empty', () => {
    expect(
      formatTable(columns, [
        [7, 'evt_1', 'Yoga Mat', null],
        [12, 'evt_22', 'Desk Lamp', '10.99'],
      ]),
    ).to.deep.equal([
      'id  event_id  product      tax',
      '--  --------  ---------  -----',
      ' 7  evt_1     Yoga Mat',
      '12  evt_22    Desk Lamp  10.99',
    ]);
  });

  it('cuts the shrinkable column to fit the width, marking the cut', () => {
    const lines = formatTable(
      columns,
      [[1, 'evt_1', 'Nineteen Eighty-Four (paperback)', '1.00']],
      30,
    );
    expect(lines.every((line) => line.length <= 30)).to.equal(true);
    expect(lines[2]).to.include('…');
    expect(lines[2]).to.include('evt_1');
  });

  it('never cuts a column that is not shrinkable', () => {
    const lines = formatTable(columns, [[1, 'evt_0123456789abcdef', 'Mat', '1.00']], 10);
    expect(lines[2]).to.include('evt_0123456789abcdef');
  });
});
