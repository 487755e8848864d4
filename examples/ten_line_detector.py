"""A ten-line detector: orders from devices and addresses that many accounts share.

    brushbench eval examples/ten_line_detector.py
"""


def score(data):
    o = data.orders  # data has no answer key: only what a platform's risk team would see
    accounts_per_device = o.groupby("device_id").buyer_id.transform("nunique")
    accounts_per_address = o.groupby("address_id").buyer_id.transform("nunique")
    orders_per_buyer_shop = o.groupby(["buyer_id", "shop_id"]).order_id.transform("size")
    # Higher = more suspicious; one score per row of data.orders.
    return (accounts_per_device + accounts_per_address + orders_per_buyer_shop).to_numpy(float)
