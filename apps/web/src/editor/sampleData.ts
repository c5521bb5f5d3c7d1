/** The user and event the Liquid previews render with until the marketer edits them. */
export const SAMPLE_DATA = JSON.stringify(
  {
    user: { userId: 'user-42', traits: { FIRSTNAME: 'Asha', EMAIL: 'asha@example.com', CITY: 'Pune', country: 'IN' } },
    event: { event: 'add_to_cart', properties: { product: 'Trail shoes', price: 89.9, currency: 'EUR' }, timestamp: '2025-05-01T09:30:00Z' },
  },
  null,
  2,
)
