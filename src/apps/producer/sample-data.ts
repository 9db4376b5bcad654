// Realistic, varied values for generated events.
export const products = [
  { id: 'prod_abc123', name: 'Wireless Headphones', category: 'Electronics', price: 129.99 },
  { id: 'prod_kbd001', name: 'Mechanical Keyboard', category: 'Electronics', price: 89.5 },
  { id: 'prod_mug042', name: 'Ceramic Coffee Mug', category: 'Home & Kitchen', price: 12.0 },
  { id: 'prod_run777', name: 'Trail Running Shoes', category: 'Sports', price: 119.95 },
  { id: 'prod_bk1984', name: 'Nineteen Eighty-Four (paperback)', category: 'Books', price: 9.99 },
  { id: 'prod_lmp310', name: 'Desk Lamp with USB-C', category: 'Home & Kitchen', price: 34.75 },
  { id: 'prod_yog555', name: 'Yoga Mat', category: 'Sports', price: 25.0 },
  { id: 'prod_cam900', name: 'Mirrorless Camera Body', category: 'Electronics', price: 1499.0 },
  { id: 'prod_tea018', name: 'Sencha Green Tea, 100 g', category: null, price: 7.4 },
] as const;

export const currencies = ['USD', 'USD', 'USD', 'EUR', 'GBP'] as const;
export const sources = ['web', 'mobile_app', 'ios_app', 'android_app'] as const;
export const discountCodes = ['SUMMER2025', 'WELCOME10', 'BLACKFRIDAY', 'LOYALTY5'] as const;

// Several countries, some without states or postal codes, as real shops ship to.
export const addresses = [
  { street: '123 Main St', city: 'San Francisco', state: 'CA', zipCode: '94102', country: 'USA' },
  {
    street: '77 Massachusetts Ave',
    city: 'Cambridge',
    state: 'MA',
    zipCode: '02139',
    country: 'USA',
  },
  { street: 'Unter den Linden 6', city: 'Berlin', zipCode: '10117', country: 'Germany' },
  { street: '10 Downing Street', city: 'London', zipCode: 'SW1A 2AA', country: 'United Kingdom' },
  { street: '1-1 Chiyoda', city: 'Tokyo', state: 'Tokyo', zipCode: '100-8111', country: 'Japan' },
  { street: '1 Harbour View Street', city: 'Hong Kong', country: 'Hong Kong' },
  {
    street: 'Rua Augusta 274',
    city: 'Lisboa',
    state: null,
    zipCode: '1100-053',
    country: 'Portugal',
  },
] as const;
